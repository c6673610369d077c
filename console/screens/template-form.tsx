/**
 * One template: what it does, a form generated from its parameters (each field shows the server's
 * error for `params.<name>`), a preview of what a sample customer who fits would see and when,
 * and one button that creates the drafts, to be published from Releases.
 */
import { useState } from 'preact/hooks';
import type { ApiError } from '../api';
import { SLOT_KINDS } from '../../sdk/contract';
import { SEGMENTS } from '../../sdk/contract-admin';
import { PARAM_BOUNDS, type InstantiateAnswer, type Template, type TemplateParam } from '../../sdk/contract-templates';
import { useI18n } from '../i18n';
import { pick } from '../rules';
import { useTemplateText } from '../templates-i18n';
import { Alert, asApiError, errorAt, Field, Notice, Page, useLoad, useShell } from '../ui';

interface Preview {
  sample: { traits: Record<string, unknown>; tags: Record<string, unknown>; segment?: string };
  windows: { from: string; to: string }[];
  shows: { itemId: string; title?: { 'zh-CN': string; en: string }; slotKind?: string; slotId?: string }[];
  reminders: { triggerId: string; on: { name?: string }; title: Record<string, string>; body: Record<string, string> }[];
}

interface CalendarDay {
  id: string;
  kind: string;
  name: { 'zh-CN': string; en: string };
}

/** a field's text as the parameter's type wants it */
function valueOf(p: TemplateParam, text: string): unknown {
  if (PARAM_BOUNDS[p.type]) return text.trim() === '' ? undefined : Number(text);
  if (p.type === 'items') return text.split(/[,，\s]+/).filter(Boolean);
  return text;
}
const textOf = (v: unknown) => (Array.isArray(v) ? v.join(', ') : v === undefined ? '' : String(v));

export function TemplateForm({ id }: { id: string }) {
  const { api, app } = useShell();
  const { locale } = useI18n();
  const tt = useTemplateText();
  const base = `/apps/${encodeURIComponent(app)}/templates/${encodeURIComponent(id)}`;
  const template = useLoad(() => api.get<Template>(`/templates/${encodeURIComponent(id)}?app=${encodeURIComponent(app)}`), [app, id]);
  const festivals = useLoad(
    () => api.get<{ days: CalendarDay[] }>(`/calendar/${new Date().getFullYear()}`).then((y) => y.days.filter((d) => d.kind === 'festival')),
    [],
  );
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError>();
  const [preview, setPreview] = useState<Preview>();
  const [made, setMade] = useState<InstantiateAnswer>();
  const [busy, setBusy] = useState<'preview' | 'create'>();
  const t = template.data;

  const params = () => {
    const out: Record<string, unknown> = {};
    for (const p of t?.params ?? []) if (p.name in texts) out[p.name] = valueOf(p, texts[p.name]!);
    return out;
  };
  const run = async (what: 'preview' | 'create') => {
    setBusy(what);
    setError(undefined);
    setMade(undefined);
    try {
      if (what === 'preview') setPreview(await api.send<Preview>('POST', `${base}/preview`, { params: params() }));
      else setMade(await api.send<InstantiateAnswer>('POST', `${base}/drafts`, { params: params() }));
    } catch (x) {
      setError(asApiError(x));
      requestAnimationFrame(() => (document.querySelector('.field.invalid input, .field.invalid select') as HTMLElement | null)?.focus());
    } finally {
      setBusy(undefined);
    }
  };

  const field = (p: TemplateParam) => {
    const text = texts[p.name] ?? textOf(p.default);
    const set = (v: string) => setTexts((x) => ({ ...x, [p.name]: v }));
    const onInput = (e: Event) => set((e.currentTarget as HTMLInputElement).value);
    const choice = (options: readonly string[], label: (o: string) => string = (o) => o) => (a: object) => (
      <select {...a} name={p.name} value={text} onChange={onInput}>
        {options.map((o) => (
          <option value={o}>{label(o)}</option>
        ))}
      </select>
    );
    const control =
      p.type === 'slot'
        ? choice(SLOT_KINDS)
        : p.type === 'segment'
          ? choice(SEGMENTS)
          : p.type === 'holiday'
            ? choice(
                [...new Set([text, ...(festivals.data ?? []).map((d) => d.id)])],
                (o) => pick(festivals.data?.find((d) => d.id === o)?.name, locale) || o,
              )
            : PARAM_BOUNDS[p.type]
              ? (a: object) => <input {...a} name={p.name} type="number" step={PARAM_BOUNDS[p.type]!.int ? 1 : 'any'} min={p.min} max={p.max} value={text} onInput={onInput} />
              : (a: object) => <input {...a} name={p.name} type="text" value={text} onInput={onInput} />;
    return (
      <Field label={pick(p.label, locale)} hint={p.help && pick(p.help, locale)} error={errorAt(error, `params.${p.name}`)}>
        {control}
      </Field>
    );
  };

  const releases = `#/a/${encodeURIComponent(app)}/releases`;
  return (
    <Page title={t ? pick(t.name, locale) : tt('title')}>
      <p>
        <a href={`#/a/${encodeURIComponent(app)}/templates`}>← {tt('back')}</a>
      </p>
      <Alert error={template.error ?? (error && !error.path.startsWith('params.') ? error : undefined)} />
      {t && (
        <>
          <p class="intro">{pick(t.description, locale)}</p>
          <form
            class="form template-form"
            noValidate
            aria-labelledby="params-title"
            onSubmit={(e) => {
              e.preventDefault();
              void run('create');
            }}
          >
            <h2 id="params-title">{tt('params')}</h2>
            {t.params.map(field)}
            <div class="actions">
              <button type="button" disabled={!!busy} onClick={() => void run('preview')}>
                {busy === 'preview' ? tt('previewing') : tt('preview')}
              </button>
              <button type="submit" class="primary" disabled={!!busy}>
                {busy === 'create' ? tt('creating') : tt('create')}
              </button>
            </div>
          </form>
          <Notice text={made ? tt('made', { n: made.drafts.length }) : undefined} />
          {made && (
            <ul class="made">
              {made.drafts.map((d) => (
                <li>
                  {d.collection === 'campaigns' ? <a href={`#/a/${encodeURIComponent(app)}/campaigns/${encodeURIComponent(d.id)}`}>{`${d.collection}/${d.id}`}</a> : `${d.collection}/${d.id}`}
                </li>
              ))}
              <li>
                <a class="button primary" href={releases}>
                  {tt('toReleases')}
                </a>
              </li>
            </ul>
          )}
          {preview && (
            <section class="template-preview" aria-labelledby="preview-title">
              <h2 id="preview-title">{tt('preview')}</h2>
              <dl>
                <dt>{tt('sample')}</dt>
                <dd>
                  {[...Object.entries(preview.sample.traits), ...Object.entries(preview.sample.tags), ...(preview.sample.segment ? [['segment', preview.sample.segment]] : [])]
                    .map(([k, v]) => `${k} = ${String(v)}`)
                    .join(' · ') || tt('sampleNone')}
                </dd>
                <dt>{tt('when')}</dt>
                <dd>
                  {preview.windows.length ? (
                    <ul>
                      {preview.windows.slice(0, 3).map((w) => (
                        <li>{w.from === w.to ? w.from : tt('fromTo', { from: w.from, to: w.to })}</li>
                      ))}
                    </ul>
                  ) : (
                    tt('never')
                  )}
                </dd>
                <dt>{tt('shows')}</dt>
                <dd>
                  <ul>
                    {preview.shows.map((s) => (
                      <li>{tt('inSlot', { item: s.title ? `${pick(s.title, locale)} · ${s.itemId}` : s.itemId, slot: s.slotKind ?? s.slotId ?? '' })}</li>
                    ))}
                  </ul>
                </dd>
                {preview.reminders.length > 0 && (
                  <>
                    <dt>{tt('reminders')}</dt>
                    <dd>
                      <ul>
                        {preview.reminders.map((r) => (
                          <li>
                            <strong>{pick(r.title as { 'zh-CN': string; en: string }, locale)}</strong> — {pick(r.body as { 'zh-CN': string; en: string }, locale)} ({tt('on', { event: r.on.name ?? '' })})
                          </li>
                        ))}
                      </ul>
                    </dd>
                  </>
                )}
              </dl>
            </section>
          )}
        </>
      )}
    </Page>
  );
}
