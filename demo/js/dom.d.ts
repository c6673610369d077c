// Types of dom.js for the Preact page (demo/preact-app.tsx), which bundles it.
export function money(n: number, locale: string): string;
export function toast(text: string, ms?: number): void;
