/**
 * Entry of dist/slotwise-net.min.js (IIFE), the network module of the script tag: net.ts's
 * `connect` (plain fetch, the contract's lean answer checks, the options check). The core
 * (net-lazy.ts) loads it at start and waits for it to register on a private global; if this chunk
 * came first, it leaves itself there. No zod in here, so nothing probes `new Function` under a CSP.
 */
import { connect } from './net';
import type { Registered } from './net-lazy';

function init(): void {
  const g = globalThis as unknown as Record<string, unknown>;
  const self: Registered = { v: __SDK_VERSION__, connect };
  const waiting = g.__slotwiseNet;
  if (typeof waiting == 'function') waiting(self);
  else g.__slotwiseNet = self;
}

init();
