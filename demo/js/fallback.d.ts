// Types of fallback.js for the Preact page (demo/preact-app.tsx), which bundles it.
import type { Item } from '../../sdk/index';

export function fallbackItems(locale: 'en' | 'zh-CN' | string): Record<string, Item[]>;
export function securityNotice(locale: 'en' | 'zh-CN' | string): Item;
