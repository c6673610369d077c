/**
 * Entry of dist/slotwise-net.min.js (IIFE), the network module of the script tag: ky, zod/mini and
 * the contract's schemas behind net.ts's `connect`. The core (net-lazy.ts) loads it at start and
 * waits for it to register on a private global; if this chunk came first, it leaves itself there.
 */
import { config } from 'zod/mini';
import { connect } from './net';
import type { Registered } from './net-lazy';

function init(): void {
  // zod would probe `new Function` once, which a strict CSP reports as a violation. Only here:
  // in the ESM build zod may be the host's own, and its settings are the host's.
  config({ jitless: true });
  const g = globalThis as unknown as Record<string, unknown>;
  const self: Registered = { v: __SDK_VERSION__, connect };
  const waiting = g.__slotwiseNet;
  if (typeof waiting == 'function') waiting(self);
  else g.__slotwiseNet = self;
}

init();
