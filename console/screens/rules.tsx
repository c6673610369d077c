/**
 * Real-time tags, triggers and slot layouts: a table of the app's entries and a JSON editor in the
 * contract's shape (what an operator saves is what devices evaluate), plus, for tags and triggers,
 * a dry-run box that runs a typed event sequence through the drafts.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api';
import { useI18n, type MessageKey } from '../i18n';
import type { TagRule } from '../../sdk/contract';
import { parseEvents, type DryEvent, type DryRunAnswer } from '../dry-run';
import type { DraftEntry, List } from '../rules';
import { Alert, asApiError, Chip, Field, Notice, Page, useLoad, useShell } from '../ui';

type Kind = 'tags' | 'triggers' | 'slots';

const TEMPLATES: Record<Kind, unknown> = {
  tags: { name: 'new_tag', match: { type: 'track', name: 'loan_apply_step' }, agg: 'count', windowMs: 86_400_000 },
  triggers: {
    id: 'new-trigger',
    when: { type: 'track', name: 'loan_apply_step' },
    delayMs: 60_000,
    reminder: { title: { 'zh-CN': '继续您的申请', en: 'Finish your application' } },
  },
  slots: { id: 'new-layout', page: 'home', slots: [{ id: 'home.today', kind: 'picks', count: 4 }] },
};

const SAMPLE_EVENTS = '[\n  { "type": "track", "name": "loan_apply_step", "properties": { "step": 1 }, "ts": 0 }\n]';

function summary(kind: Kind, v: Record<string, unknown>): string {
  if (kind === 'slots') return ((v.slots as { id: string; kind: string; count: number }[]) ?? []).map((s) => `${s.id} (${s.kind}×${s.count})`).join(', ');
  const m = (kind === 'tags' ? v.match : v.when) as { type?: string; name?: string } | undefined;
  return [m?.type, m?.name].filter(Boolean).join(' · ') + (kind === 'tags' && v.agg ? ` → ${String(v.agg)}` : '');
}

export function RuleScreen({ kind }: { kind: Kind }) {
  const { api, app } = useShell();
  const { t } = useI18n();
  const base = `/apps/${encodeURIComponent(app)}/${kind}`;
  const list = useLoad(() => api.get<List<DraftEntry>>(base), [app, kind]);
  const [open, setOpen] = useState<DraftEntry | 'new'>();
  const [text, setText] = useState('');
  const [error, setError] = useState<ApiError>();
  const [notice, setNotice] = useState<string>();

  useEffect(() => {
    if (open === undefined) return;
    setText(JSON.stringify(open === 'new' ? TEMPLATES[kind] : open.value, null, 2));
    setError(undefined);
  }, [open]);

  const save = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setNotice(undefined);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (x) {
      setError({ status: 0, code: 'invalid_json', message: String((x as Error).message), path: '' });
      return;
    }
    try {
      const saved =
        open === 'new' || open === undefined
          ? await api.send<DraftEntry>('POST', base, body)
          : await api.send<DraftEntry>('PUT', `${base}/${encodeURIComponent(open.id)}`, body, { 'if-match': `"${open.rev}"` });
      setOpen(saved);
      setNotice(t('common.saved'));
      list.reload();
    } catch (x) {
      setError(asApiError(x));
    }
  };

  const remove = async () => {
    if (!open || open === 'new') return;
    try {
      await api.send('DELETE', `${base}/${encodeURIComponent(open.id)}`, undefined, { 'if-match': `"${open.rev}"` });
      setOpen(undefined);
      setNotice(t('common.deleted'));
      list.reload();
    } catch (x) {
      setError(asApiError(x));
    }
  };

  return (
    <Page
      title={t(`rules.${kind}` as MessageKey)}
      actions={
        <button type="button" class="primary" onClick={() => setOpen('new')}>
          {t('common.new')}
        </button>
      }
    >
      <Alert error={list.error} />
      <Notice text={notice} />
      <div class="split">
        <table class="grid">
          <thead>
            <tr>
              <th scope="col">{t('common.id')}</th>
              <th scope="col">{t('common.status')}</th>
              <th scope="col">{t('rules.summary')}</th>
            </tr>
          </thead>
          <tbody>
            {(list.data?.items ?? []).map((e) => (
              <tr class={open !== 'new' && open?.id === e.id ? 'selected' : ''}>
                <td>
                  <button type="button" class="link" onClick={() => setOpen(e)}>
                    {e.id}
                  </button>
                </td>
                <td>
                  <Chip status={e.status} />
                </td>
                <td class="muted">{summary(kind, e.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div class="stack">
          {open !== undefined && (
            <form class="card form" onSubmit={save} noValidate>
              <h2>{open === 'new' ? t('common.new') : open.id}</h2>
              <Alert error={error} />
              <Field label={t('common.json')} hint={t('rules.editorHint')} error={error?.path ? `${error.path}: ${error.message}` : undefined} wide>
                {(a) => <textarea {...a} class="code" rows={16} spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} />}
              </Field>
              <div class="actions">
                <button type="submit" class="primary">
                  {t('common.save')}
                </button>
                {open !== 'new' && (
                  <button type="button" class="danger" onClick={remove}>
                    {t('common.delete')}
                  </button>
                )}
                <button type="button" class="ghost" onClick={() => setOpen(undefined)}>
                  {t('common.cancel')}
                </button>
              </div>
            </form>
          )}
          {kind !== 'slots' && <DryRun />}
        </div>
      </div>
    </Page>
  );
}

function DryRun() {
  const { api, app } = useShell();
  const { t } = useI18n();
  const [events, setEvents] = useState(SAMPLE_EVENTS);
  const [out, setOut] = useState<{ answer: DryRunAnswer; tagNames: string[] }>();
  const [error, setError] = useState<ApiError>();
  const base = `/apps/${encodeURIComponent(app)}`;
  const run = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setOut(undefined);
    let body: DryEvent[];
    try {
      body = parseEvents(JSON.parse(events));
    } catch (x) {
      setError({ status: 0, code: 'invalid_json', message: String((x as Error).message), path: '' });
      return;
    }
    try {
      // the tag names list every draft tag, so one that does not hold shows as such
      const [tags, answer] = await Promise.all([
        api.get<List<DraftEntry>>(`${base}/tags`),
        api.send<DryRunAnswer['triggers'] & { tags: DryRunAnswer['tags'] }>('POST', `${base}/triggers/dry-run`, { events: body }),
      ]);
      const names = tags.items.filter((d) => d.status !== 'deleted').map((d) => (d.value as TagRule).name);
      setOut({ answer: { tags: answer.tags, triggers: { fired: answer.fired, cancelled: answer.cancelled } }, tagNames: names });
    } catch (x) {
      setError(asApiError(x));
    }
  };
  const t0 = (() => {
    try {
      return Math.min(...parseEvents(JSON.parse(events)).map((e) => e.ts));
    } catch {
      return 0;
    }
  })();
  return (
    <form class="card form" onSubmit={run} aria-labelledby="dryrun-title">
      <h2 id="dryrun-title">{t('dryrun.title')}</h2>
      <Field label={t('dryrun.events')} hint={t('dryrun.hint')} error={error?.path ? `${error.path}: ${error.message}` : undefined} wide>
        {(a) => <textarea {...a} class="code" rows={6} spellcheck={false} value={events} onInput={(e) => setEvents(e.currentTarget.value)} />}
      </Field>
      <button type="submit">{t('dryrun.run')}</button>
      <Alert error={error && !error.path ? error : undefined} />
      <div aria-live="polite" class="dryrun-out">
        {out && (
          <>
            <table class="grid compact-grid">
              <caption>{t('rules.tags')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('common.id')}</th>
                  <th scope="col">{t('dryrun.value')}</th>
                  <th scope="col">{t('dryrun.held')}</th>
                </tr>
              </thead>
              <tbody>
                {out.tagNames.map((name) => (
                  <tr data-tag={name}>
                    <td class="mono">{name}</td>
                    <td>{name in out.answer.tags ? String(out.answer.tags[name]) : '—'}</td>
                    <td>{name in out.answer.tags ? '✓' : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table class="grid compact-grid">
              <caption>{t('rules.triggers')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('common.id')}</th>
                  <th scope="col">{t('dryrun.at')}</th>
                  <th scope="col">{t('common.status')}</th>
                </tr>
              </thead>
              <tbody>
                {[...out.answer.triggers.fired.map((f) => ({ ...f, why: '' })), ...out.answer.triggers.cancelled].map((f) => (
                  <tr data-trigger={f.triggerId} data-why={f.why || 'fired'}>
                    <td class="mono">{f.triggerId}</td>
                    <td class="num">{`+${Math.round((f.at - t0) / 1000)} s`}</td>
                    <td>{f.why ? t(`dryrun.${f.why}` as MessageKey) : t('dryrun.fires')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </div>
    </form>
  );
}
