/**
 * The template gallery: the built-in templates and the app's own, by family, with a search box
 * over names, descriptions and ids in both languages. A card says what the template does in plain
 * words and opens its form.
 */
import { useState } from 'preact/hooks';
import { TEMPLATE_FAMILIES, type TemplateSummary } from '../../sdk/contract-templates';
import { useI18n } from '../i18n';
import { pick, type List } from '../rules';
import { useTemplateText } from '../templates-i18n';
import { Alert, Field, Page, useLoad, useShell } from '../ui';
import { SaveTemplate } from './template-save';

export function Templates() {
  const { api, app } = useShell();
  const { locale } = useI18n();
  const tt = useTemplateText();
  const list = useLoad(() => api.get<List<TemplateSummary>>(`/templates?app=${encodeURIComponent(app)}`), [app]);
  const [query, setQuery] = useState('');
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const hits = (list.data?.items ?? []).filter((x) => {
    const text = [x.id, x.name.en, x.name['zh-CN'], x.description.en, x.description['zh-CN']].join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
  const base = `#/a/${encodeURIComponent(app)}/templates`;
  return (
    <Page title={tt('title')}>
      <p class="intro">{tt('intro')}</p>
      <Alert error={list.error} />
      <div class="form gallery-search" role="search">
        <Field label={tt('search')} hint={tt('searchHint')}>
          {(a) => <input {...a} type="search" value={query} onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)} />}
        </Field>
      </div>
      <p class="muted" role="status" aria-live="polite">
        {list.loading && !list.data ? '' : hits.length ? tt('count', { n: hits.length }) : tt('none')}
      </p>
      {TEMPLATE_FAMILIES.map((family) => {
        const mine = hits.filter((x) => x.family === family);
        if (!mine.length) return null;
        return (
          <section class="gallery-family" aria-labelledby={`family-${family}`}>
            <h2 id={`family-${family}`}>{tt(`family.${family}`)}</h2>
            <ul class="gallery">
              {mine.map((x) => (
                <li class="gallery-card">
                  <h3>
                    <a href={`${base}/${encodeURIComponent(x.id)}`} aria-describedby={`desc-${x.id}`}>
                      {pick(x.name, locale)}
                    </a>
                  </h3>
                  <p id={`desc-${x.id}`}>{pick(x.description, locale)}</p>
                  <p class="muted">
                    {x.owner === 'builtin' ? '' : `${tt('own')} · `}
                    {tt('version', { v: x.version })}
                  </p>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
      <SaveTemplate onSaved={list.reload} />
    </Page>
  );
}
