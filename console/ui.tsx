/**
 * The console's building blocks: status chips, labelled fields that show the server's error at the
 * field, the live regions errors and confirmations are announced in, and a loader hook.
 */
import type { ComponentChildren, JSX } from 'preact';
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { isApiError, type Api, type ApiError, type Session } from './api';
import { useI18n, type MessageKey } from './i18n';

export interface Shell {
  api: Api;
  session: Session;
  /** the app the screens work on */
  app: string;
  go(hash: string): void;
  /** goes to `hash` and announces `text` there (a confirmation that outlives the screen that made it) */
  goWith(hash: string, text: string): void;
}
export const ShellContext = createContext<Shell>(undefined as unknown as Shell);
export const useShell = () => useContext(ShellContext);

export type Status = 'live' | 'scheduled' | 'draft' | 'ended' | 'pending' | 'deleted' | 'superseded' | 'rejected' | 'cancelled';

export function Chip({ status }: { status: Status }) {
  const { t } = useI18n();
  return <span class={`chip chip-${status}`}>{t(`status.${status}` as MessageKey)}</span>;
}

/** The error of `error` for the field at `path` (or any field under it), if the server blamed it. */
export function errorAt(error: ApiError | undefined, path: string): string | undefined {
  if (!error?.path) return undefined;
  return error.path === path || error.path.startsWith(`${path}.`) ? error.message : undefined;
}

let fieldSeq = 0;
/** A unique id for a label/control pair, stable for the component's life. */
export function useId(prefix = 'f'): string {
  const ref = useRef<string | undefined>(undefined);
  return (ref.current ??= `${prefix}${++fieldSeq}`);
}

export interface FieldProps {
  label: ComponentChildren;
  /** the server's message for this field, shown under it and tied to the control by aria-describedby */
  error?: string;
  hint?: string;
  /** the control, given its id and describedby */
  children: (a: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => JSX.Element;
  wide?: boolean;
  /** extra class names (layout) */
  class?: string;
}

export function Field({ label, error, hint, children, wide, class: extra }: FieldProps) {
  const id = useId();
  const described = [hint && `${id}-hint`, error && `${id}-err`].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${wide ? ' wide' : ''}${error ? ' invalid' : ''}${extra ? ` ${extra}` : ''}`}>
      <label for={id}>{label}</label>
      {children({ id, 'aria-describedby': described, ...(error ? { 'aria-invalid': true } : {}) })}
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      {error && (
        <p class="field-error" id={`${id}-err`} data-path="">
          {error}
        </p>
      )}
    </div>
  );
}

/** Errors, announced as they appear (role=alert is assertive: the user must act on them). */
export function Alert({ error }: { error?: ApiError | string }) {
  const { t } = useI18n();
  const text = !error ? '' : typeof error === 'string' ? error : error.path ? t('common.fieldError', { path: error.path, message: error.message }) : error.message;
  return (
    <div class="alert" role="alert" hidden={!text}>
      {text}
    </div>
  );
}

/** Confirmations, announced politely. */
export function Notice({ text }: { text?: string }) {
  return (
    <div class="notice" role="status" aria-live="polite">
      {text}
    </div>
  );
}

export function Page({ title, actions, children }: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  const h = useRef<HTMLHeadingElement>(null);
  // a new screen moves focus to its heading, so a keyboard or screen-reader user knows where they are
  useEffect(() => {
    document.title = `${title} · Slotwise`;
    h.current?.focus();
  }, [title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1} ref={h}>
          {title}
        </h1>
        {actions && <div class="page-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export interface Loaded<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  reload(): void;
}

/** Runs `load` now and whenever `deps` change or `reload()` is called; keeps the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, set] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    set((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && set({ data, loading: false }),
      (e) => live && set((s) => ({ data: s.data, error: asApiError(e), loading: false })),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

export const asApiError = (e: unknown): ApiError =>
  isApiError(e) ? e : { status: 0, code: 'client', message: String((e as Error)?.message ?? e), path: '' };

/** epoch ms or ISO → a short local date-time; '' for none */
export function when(v: number | string | undefined | null, locale: string): string {
  if (v === undefined || v === null || v === '') return '';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short', hour12: false });
}

/** Offers `text` as a download named `name`. */
export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
