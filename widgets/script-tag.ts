// Entry of dist/slotwise-widgets.min.js, loaded by the core script tag when a widget element is on
// the page. Carries Preact and the widgets, not the core: it uses the client at `window.slotwise`.
import type { SlotwiseClient } from '../sdk/index';
import { defineElements } from './elements';

function start(): void {
  const client = (window as unknown as { slotwise?: SlotwiseClient }).slotwise;
  // the nonce the core loader gave this script is the page's style nonce too
  const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce;
  // the core loads this chunk after it has made the client; without one there is nothing to drive
  if (client?.subscribe) defineElements(client, { nonce });
}

start();
