import { cleanup, render } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { SlotwiseProvider } from '../../../widgets/context';
import { setStrings, stringsFor, toLocale } from '../../../widgets/i18n';
import { Interests } from '../../../widgets/Interests';
import { backend, client, closeClients } from './backend';

afterEach(async () => {
  cleanup();
  // put the built-in strings back for the other tests in this file
  setStrings({ interests: '我的兴趣标签', noInterests: '暂无兴趣标签' }, 'zh-CN');
  setStrings({ interests: 'Your interests', noInterests: 'No interest tags yet' }, 'en');
  await closeClients();
});

describe('i18n', () => {
  it('maps any zh locale to zh-CN and everything else to en', () => {
    for (const l of ['zh', 'zh-CN', 'zh-TW', 'zh-Hans-CN', 'ZH-cn']) expect(toLocale(l), l).toBe('zh-CN');
    for (const l of ['en', 'en-GB', 'fr', '', undefined]) expect(toLocale(l), String(l)).toBe('en');
  });

  it('has every string in both locales', () => {
    const zh = stringsFor('zh-CN');
    const en = stringsFor('en');
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
    for (const k of Object.keys(zh) as (keyof typeof zh)[]) {
      expect(zh[k], k).toBeTruthy();
      expect(en[k], k).toBeTruthy();
      expect(en[k], k).not.toBe(zh[k]);
    }
    expect(zh.riskNames.split('|')).toHaveLength(5);
    expect(en.riskNames.split('|')).toHaveLength(5);
  });

  it('layers strings: built-in, then setStrings, then the provider’s, then the widget’s own', () => {
    const sw = client(backend());
    const heading = () => document.querySelector('.sw-h2')!.textContent;
    const empty = () => document.querySelector('.sw-empty')!.textContent;
    // without a locale for both, then one locale on top
    setStrings({ interests: 'Interests' });
    setStrings({ interests: '兴趣', noInterests: '还没有' }, 'zh-CN');
    render(<Interests client={sw} />);
    expect([heading(), empty()]).toEqual(['兴趣', '还没有']);
    cleanup();
    render(<Interests client={sw} locale="en" />);
    expect(heading()).toBe('Interests');
    cleanup();
    render(
      <SlotwiseProvider client={sw} strings={{ interests: '来自 Provider', noInterests: 'Provider 空' }}>
        <Interests strings={{ interests: '组件自己的' }} />
      </SlotwiseProvider>,
    );
    expect([heading(), empty()]).toEqual(['组件自己的', 'Provider 空']);
  });
});
