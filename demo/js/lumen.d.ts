// The demo's globals, set by the classic scripts net-switch.js and boot.js before any module runs.
import type { SlotwiseClient } from '../../sdk/index';

export interface Persona {
  id: string;
  userId: string | null;
  name: Record<'en' | 'zh-CN', string>;
  note: Record<'en' | 'zh-CN', string>;
  /** riskTolerance and segment, and the response models' features by name (age, job, poutcome …) */
  traits: { riskTolerance?: string; segment?: string; [feature: string]: string | number | undefined };
  money: { deposits: number; wealth: number; loans: number; yesterday: number };
  /** a term deposit the customer holds that matures soon (part of `money.deposits`) */
  deposit: { itemId: string; amount: number; years: number; daysToMaturity: number } | null;
}

export interface Lumen {
  personas: Persona[];
  persona(): Persona;
  locale(): 'en' | 'zh-CN';
  personalized(): boolean;
  /** the theme shown, and the customer's choice ('auto' follows prefers-color-scheme) */
  theme(): 'light' | 'dark';
  choice(): 'auto' | 'light' | 'dark';
  setTheme(choice: 'auto' | 'light' | 'dark'): void;
  onTheme(fn: (theme: 'light' | 'dark') => void): void;
  attach(client: SlotwiseClient): void;
  sync(client: SlotwiseClient): void;
  on(kind: 'event' | 'sent' | 'decision' | 'reminder' | 'error', fn: (payload: any, at: number) => void): void;
  log(kind: 'event' | 'sent' | 'decision' | 'reminder' | 'error'): any[];
  lastAt(name: string): number | undefined;
  lastEvent(before: number): { name: string; at: number } | undefined;
  /** `YYYY-MM-DD` in China, `days` from today */
  chinaDate(days: number): string;
  /** the panel's simulated money moves, as `transaction` event properties (without the currency) */
  TRANSACTIONS: Record<'salary' | 'deposit' | 'card' | 'failed', { type: string; amount: number }>;
  /** items seen in decisions this session, by id (for the product detail) */
  item(id: string): import('../../sdk/index').Item | undefined;
}

declare global {
  interface Window {
    lumen: Lumen;
    lumenNet?: { isOffline(): boolean; set(offline: boolean): void };
    lumenClient?: SlotwiseClient;
  }
}
