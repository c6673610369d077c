// Types of shell.js for the Preact page (demo/preact-app.tsx), which bundles it.
import type { SlotwiseClient } from '../../sdk/index';

export interface Shell {
  /** the client to call now (on script-tag pages the snippet's queue until the SDK has loaded) */
  sdk(): SlotwiseClient;
  locale: 'en' | 'zh-CN';
  t(key: string, vars?: Record<string, string | number>): string;
  /** fresh widgets after the customer or a switch changed */
  refresh(): void;
  panel: { setOpen(open: boolean): void };
}

export function startShell(o: {
  page: 'home' | 'wealth' | 'loans';
  client?: SlotwiseClient;
  onRefresh?: () => void;
  onTheme?: (theme: 'light' | 'dark') => void;
}): Shell;
