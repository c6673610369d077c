/**
 * Item fields come from the server and are untrusted. These two guards decide which URLs may
 * reach an `href` or a `src`: only http(s) or relative ones (and raster `data:image/` for images).
 * Both return `undefined` when they refuse, so `href={safeUrl(item.url)}` simply drops the link.
 */

// The URL parser drops tabs and newlines anywhere and C0 controls or spaces at both ends, so
// "java\tscript:" is "javascript:" to the browser. Clean the same way before judging.
const strip = (url: string) => url.replace(/[\t\n\r]/g, '').replace(/^[\0- ]+|[\0- ]+$/g, '');
const DUMMY = 'http://slotwise.invalid/';

/**
 * `url` if it is http(s) or relative, else `undefined`; resolved against `base` when given.
 * @example safeUrl('/wealth.html#item=w1')              // '/wealth.html#item=w1'
 * @example safeUrl('javascript:alert(1)')               // undefined
 * @example safeUrl('/v1/images/f1.svg', 'https://api.bank.example/') // 'https://api.bank.example/v1/images/f1.svg'
 */
export function safeUrl(url: unknown, base?: string): string | undefined {
  if (typeof url != 'string') return;
  const clean = strip(url);
  if (!clean) return;
  try {
    // a relative URL takes its scheme from the base, so only an explicit scheme can be refused
    const parsed = new URL(clean, base || DUMMY);
    if (parsed.protocol != 'http:' && parsed.protocol != 'https:') return;
    return base ? parsed.href : clean;
  } catch {
    return;
  }
}

/**
 * Like `safeUrl`, plus `data:image/` URLs of raster formats (png, gif, jpeg, webp). SVG data URLs
 * are refused: they are documents that can carry script when opened on their own.
 * @example safeImageUrl('data:image/png;base64,iVBO…')    // kept
 * @example safeImageUrl('data:image/svg+xml,<svg onload=…>') // undefined
 */
export function safeImageUrl(url: unknown, base?: string): string | undefined {
  if (typeof url == 'string' && /^data:/i.test(strip(url))) {
    const clean = strip(url);
    return /^data:image\/(png|gif|jpeg|webp)[;,]/i.test(clean) ? clean : undefined;
  }
  return safeUrl(url, base);
}
