import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeImageUrl, safeUrl } from '../../sdk/index';

const REFUSED = [
  'javascript:alert(1)',
  'JavaScript:alert(1)',
  'JAVASCRIPT:alert(1)',
  ' javascript:alert(1)',
  '\u0000javascript:alert(1)',
  '\u0001\u001fjavascript:alert(1)',
  'java\tscript:alert(1)',
  'java\nscript:alert(1)',
  'java\rscript:alert(1)',
  'javascript\t:alert(1)',
  'vbscript:msgbox(1)',
  'data:text/html,<script>alert(1)</script>',
  'data:image/svg+xml,<svg onload=alert(1)>',
  'file:///etc/passwd',
  'blob:https://bank.example/1234',
  'ftp://bank.example/x',
  'mailto:a@b.example',
  'intent://scan#Intent;scheme=zxing;end',
  'weixin://dl/business',
  'http://[bad',
  '',
  '   ',
];

describe('safeUrl', () => {
  it('refuses every non-http(s) scheme, however it is spelled', () => {
    for (const url of REFUSED) expect(safeUrl(url), JSON.stringify(url)).toBeUndefined();
  });

  it('keeps http(s) and relative URLs as given', () => {
    for (const url of ['https://bank.example/p?x=1#y', 'http://bank.example', '/wealth.html#item=w1', 'wealth.html', '../up', '?q=1', '#top', '//cdn.bank.example/a'])
      expect(safeUrl(url), url).toBe(url);
    // only leading/trailing blanks and the tabs/newlines the URL parser drops are removed
    expect(safeUrl('  /p \n')).toBe('/p');
  });

  it('resolves against a base when given one', () => {
    expect(safeUrl('/v1/images/f1.svg', 'https://api.bank.example/')).toBe('https://api.bank.example/v1/images/f1.svg');
    expect(safeUrl('javascript:alert(1)', 'https://api.bank.example/')).toBeUndefined();
  });

  it('refuses what is not a string', () => {
    for (const v of [undefined, null, 1, {}, ['https://x'], { toString: () => 'https://x' }]) expect(safeUrl(v)).toBeUndefined();
  });

  it('never lets a non-http(s) URL through, for any string (property)', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.constantFrom(...REFUSED).map((s) => s + 'x')), (s) => {
        const out = safeUrl(s);
        if (out === undefined) return true;
        // what a browser would do with it as an href on an https page
        return ['http:', 'https:'].includes(new URL(out, 'https://host.example/dir/page').protocol);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('safeImageUrl', () => {
  it('allows http(s), relative and raster data URLs only', () => {
    for (const ok of ['https://cdn.example/a.png', '/v1/images/a.svg', 'data:image/png;base64,iVBO', 'data:image/gif;base64,R0lG', 'data:image/jpeg;base64,/9j/', 'DATA:IMAGE/WEBP;base64,UklG'])
      expect(safeImageUrl(ok), ok).toBeDefined();
    for (const bad of ['data:image/svg+xml;base64,PHN2Zz4=', 'data:image/svg+xml,<svg onload=alert(1)>', 'data:text/html,x', 'data:image/pngx,1', 'javascript:alert(1)', ' data:text/html,x'])
      expect(safeImageUrl(bad), bad).toBeUndefined();
  });
});
