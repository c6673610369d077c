/**
 * The widgets' one stylesheet. Every class is prefixed `sw-`. Colours and the font come from
 * custom properties a host sets on the element or any ancestor (they inherit into shadow roots):
 * `--sw-bg`, `--sw-card`, `--sw-fg`, `--sw-muted`, `--sw-accent`, `--sw-on-accent`, `--sw-border`,
 * `--sw-font`, e.g. `sw-today-picks, .sw { --sw-accent: #0a5cff }`. Unset, they take light or dark
 * defaults (theme `light`, `dark`, or `auto` = prefers-color-scheme).
 * Invariant: default text/background pairs keep a contrast of at least 4.5:1 (tested).
 */

/*
 * Internal custom properties, set from the public `--sw-*` ones with light/dark defaults:
 * --b background, --c card, --f text, --m muted text, --a accent, --o text on accent,
 * --l lines and skeletons, --g/--y/--e risk low/medium/high, --h a product card's height.
 * No layout shift: every slot's box is known before its slot answers (the hosts' rule in
 * elements.ts), because a card's shape does not depend on its item. A product card (today's picks,
 * "you may like" as a list or a grid) is a tile of fixed rows: the head (the 44px image beside a
 * title of at most two lines), the headline figure, the tags (one line; what does not fit is left
 * out), one fine-print box — the risk disclosure where the item needs one (never cut: a longer one
 * makes its card taller), else the subtitle (two lines at most) — and the actions. That is 250px
 * (`--h`) at any width, with no blank band: the box grows into whatever an item without tags or
 * figure leaves. So a picks row holds 326px, a feed of n cards 100px + n × 262px (1 672px for 6).
 * An ad holds 174px, a reminder 158px. Only "why this?" (opened by the user) makes a card taller.
 * Reminders share one row like the picks, but without snapping: a snapped row keeps its old first
 * card in view when a new one comes first. Rows scroll without animation: the chunk's bytes (11 KB)
 * went to the fixed card shape.
 */
const dark =
  '--b:var(--sw-bg,#111318);--c:var(--sw-card,#1c1f26);--f:var(--sw-fg,#eceef2);--m:var(--sw-muted,#a3abb8);' +
  '--a:var(--sw-accent,#ff8f8f);--o:var(--sw-on-accent,#1f0608);--l:var(--sw-border,#333844);' +
  '--g:#7ddc9c;--y:#f3c063;--e:#ff9d95;color-scheme:dark';

/** The stylesheet as text, for hosts that render on the server or inline it themselves. (One rule per source line; the `\` ends keep newlines out of the bundle.) */
export const styles = `:host(:not([hidden])){display:block}\
.sw{--b:var(--sw-bg,#f4f5f7);--c:var(--sw-card,#fff);--f:var(--sw-fg,#171a21);--m:var(--sw-muted,#586070);--a:var(--sw-accent,#c8102e);--o:var(--sw-on-accent,#fff);--l:var(--sw-border,#e2e5ea);--g:#17693a;--y:#8a5100;--e:#b42318;--h:250px;display:block;margin:0;padding:16px 0;background:var(--b);color:var(--f);font:14px/1.45 var(--sw-font,system-ui,sans-serif);text-align:start}\
.sw-dark{${dark}}\
@media (prefers-color-scheme:dark){.sw-auto{${dark}}}\
.sw *{box-sizing:border-box;margin:0}\
.sw-hd{display:flex;align-items:center;justify-content:space-between;min-height:32px;margin:0 16px 12px}\
.sw-h2{font-size:18px}\
.sw-btn,.sw-x{display:grid;place-items:center;width:32px;height:32px;padding:0;border-radius:50%;border:1px solid var(--l);background:var(--c);color:var(--f);font:inherit;font-size:18px;cursor:pointer}\
.sw button:focus-visible,.sw-title a:focus-visible::after{outline:2px solid var(--a);outline-offset:2px}\
.sw-ul{list-style:none;padding:0 16px;display:grid;gap:12px}\
.sw-nav,.sw-tags,.sw-chips{display:flex;flex-wrap:wrap;gap:8px}\
.sw-row{grid-auto-flow:column;grid-auto-columns:min(280px,84%);overflow-x:auto;scroll-snap-type:x mandatory;scroll-padding:0 16px;scrollbar-width:none}\
.sw-row>*{scroll-snap-align:start}\
.sw-grid{grid-template-columns:repeat(auto-fill,minmax(240px,1fr))}\
.sw-card{position:relative;display:flex;flex-flow:column;gap:10px;min-width:0;min-height:var(--h);padding:16px;border-radius:14px;background:var(--c);border:1px solid var(--l);box-shadow:0 2px 8px #1018280d}\
.sw-head{display:flex;gap:12px}\
.sw-head>div{min-width:0}\
.sw-img{flex:none;width:44px;height:44px;border-radius:12px;object-fit:cover;background:var(--b)}\
.sw-title,.sw-note{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden;overflow-wrap:anywhere}\
.sw-title{font-size:16px;line-height:1.35;font-weight:600}\
.sw-title a{color:inherit;text-decoration:none;outline:0}\
.sw-title a::after{content:"";position:absolute;inset:0;border-radius:14px}\
.sw-sub{margin:2px 0 0;color:var(--m);font-size:13px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}\
.sw-hl{display:flex;align-items:baseline;gap:8px;color:var(--m);font-size:12px;white-space:nowrap;overflow:hidden}\
.sw-hl b{color:var(--a);font-size:26px;line-height:1.15}\
.sw-tags{gap:6px;height:20px;overflow:hidden}\
.sw-tags span{font-size:11px;line-height:18px;padding:0 6px;border-radius:5px;border:1px solid;color:var(--m);white-space:nowrap}\
.sw-r1,.sw-r2{--m:var(--g)}\
.sw-r3{--m:var(--y)}\
.sw-r4,.sw-r5{--m:var(--e)}\
.sw-disc,.sw-note,.sw-why{flex:auto;padding:6px 8px;border-radius:8px;background:var(--b);color:var(--m);font-size:12px}\
.sw-acts{margin:auto -4px -4px;padding:4px;height:39px;overflow:hidden;display:flex;flex-wrap:wrap;align-items:center;gap:20px 14px}\
.sw-link{position:relative;z-index:1;min-height:24px;padding:0;border:0;background:none;color:var(--m);font:inherit;font-size:12.5px;white-space:nowrap;cursor:pointer}\
.sw-cta{margin-inline-start:auto;padding:6px 14px;border-radius:99px;background:var(--a);color:var(--o);font-size:13px;font-weight:600;white-space:nowrap}\
.sw-why{padding-left:26px;color:var(--f)}\
.sw-skel i{height:16px;border-radius:8px;background:var(--l)}\
.sw-skel i:first-child{width:60%;height:44px}\
.sw-empty{min-height:var(--h);margin:0 16px;padding:24px 0;text-align:center;color:var(--m)}\
.sw-more{display:block;height:24px;margin:12px auto 0;font-size:14px}\
.sw-int{--h:56px}\
.sw-ad .sw-card{min-height:174px;padding-right:48px}\
.sw-x{position:absolute;z-index:1;top:8px;right:8px;width:28px;height:28px;border:0;background:var(--b);color:var(--m)}\
.sw-none,.sw-ad:empty{padding:0}\
.sw-rem .sw-row{scroll-snap-type:none}\
.sw-rem .sw-card{gap:6px;min-height:158px;padding:12px 48px 12px 16px;border-left:4px solid var(--a)}\
.sw-chips li{display:flex;align-items:center;gap:4px;padding:2px 2px 2px 12px;border-radius:99px;background:var(--c);border:1px solid var(--l)}\
.sw-chips .sw-x{position:static;background:none}`;

let sheet: CSSStyleSheet | undefined;
let done: WeakSet<Node> | undefined;

/**
 * Puts the stylesheet into a document or shadow root once: a shared constructed sheet through
 * `adoptedStyleSheets` (no inline style, fine under a strict style-src), or a `<style nonce>` when a
 * nonce is given or constructed sheets are missing.
 */
export function adoptStyles(root: Document | ShadowRoot, nonce?: string): void {
  if ((done ??= new WeakSet()).has(root)) return;
  done.add(root);
  try {
    if (!nonce && root.adoptedStyleSheets) {
      if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(styles);
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      return;
    }
  } catch {
    // a sheet built in another document, or no constructable sheets: fall through to <style>
  }
  const doc = (root as ShadowRoot).host ? (root as Node).ownerDocument! : (root as Document);
  const style = doc.createElement('style');
  if (nonce) style.nonce = nonce;
  style.textContent = styles;
  ((root as Document).head || root).appendChild(style);
}
