/**
 * The eight scenario analyses (`#/a/<app>/analytics/<name>`): a parameter form (date range, channel,
 * segment trait, saved audience, and the analysis's own parameters), the chart, the table beside it,
 * CSV export (the server's `format=csv`), and, where the answer is a set of customers (a funnel's
 * drop-outs, churn's at-risk list), "make an audience" that campaigns can then target.
 * Loaded on demand: ECharts is in this chunk, not in the console's first script.
 */
import { useMemo, useState } from 'preact/hooks';
import { ANALYSES, type AnalysisAnswer, type AnalysisName, type AudienceAnswer } from '../../sdk/contract-analytics';
import { Chart } from '../analytics/chart';
import { useAnT, type AnKey, type AnT } from '../analytics/i18n';
import { listsOf, PARAMS, type ParamSpec } from '../analytics/params';
import { viewOf, type Table } from '../analytics/views';
import { Alert, asApiError, download, errorAt, Field, Notice, Page, useLoad, useShell } from '../ui';
import type { ApiError } from '../api';

type Values = Record<string, string>;

const queryOf = (v: Values): string => {
  const q = new URLSearchParams();
  for (const [k, x] of Object.entries(v)) if (x.trim() !== '') q.set(k, x.trim());
  return q.toString();
};

export function Analytics({ name }: { name?: string }) {
  const analysis: AnalysisName = (ANALYSES as readonly string[]).includes(name ?? '') ? (name as AnalysisName) : 'funnel';
  // a screen per analysis: its form starts empty (the server's defaults)
  return <AnalysisScreen analysis={analysis} key={analysis} />;
}

function AnalysisScreen({ analysis }: { analysis: AnalysisName }) {
  const { api, app } = useShell();
  const { t } = useAnT();
  const base = `/apps/${encodeURIComponent(app)}`;
  const [form, setForm] = useState<Values>({});
  const [asked, setAsked] = useState<string>('');
  const answer = useLoad(() => api.get<AnalysisAnswer>(`${base}/analytics/${analysis}${asked ? `?${asked}` : ''}`), [app, analysis, asked]);
  const audiences = useLoad(() => api.get<{ audiences: AudienceAnswer[] }>(`${base}/audiences`), [app]);
  const [exportError, setExportError] = useState<ApiError>();
  const set = (k: string, v: string) => setForm((f) => ({ ...f, [k]: v }));
  const error = answer.error ?? exportError;

  const exportCsv = async () => {
    setExportError(undefined);
    try {
      const text = await api.text(`${base}/analytics/${analysis}?${asked ? `${asked}&` : ''}format=csv`);
      const a = answer.data;
      download(`${analysis}-${a?.from ?? 'from'}-${a?.to ?? 'to'}.csv`, 'text/csv;charset=utf-8', text);
    } catch (e) {
      setExportError(asApiError(e));
    }
  };

  return (
    <Page title={`${t('an.title')} · ${t(`an.${analysis}` as AnKey)}`}>
      <nav class="an-tabs" aria-label={t('an.tabs')}>
        {ANALYSES.map((n) => (
          <a href={`#/a/${encodeURIComponent(app)}/analytics/${n}`} aria-current={n === analysis ? 'page' : undefined}>
            {t(`an.${n}` as AnKey)}
          </a>
        ))}
      </nav>
      <form
        class="card an-form"
        aria-label={t('an.params')}
        onSubmit={(e) => {
          e.preventDefault();
          setExportError(undefined);
          const next = queryOf(form);
          if (next === asked) answer.reload();
          else setAsked(next);
        }}
      >
        <Field label={t('an.from')} error={errorAt(error, 'from')}>
          {(a) => <input {...a} type="date" name="from" value={form.from ?? ''} onInput={(e) => set('from', e.currentTarget.value)} />}
        </Field>
        <Field label={t('an.to')} error={errorAt(error, 'to')}>
          {(a) => <input {...a} type="date" name="to" value={form.to ?? ''} onInput={(e) => set('to', e.currentTarget.value)} />}
        </Field>
        <Field label={t('an.channel')} error={errorAt(error, 'channel')}>
          {(a) => (
            <select {...a} name="channel" value={form.channel ?? ''} onChange={(e) => set('channel', e.currentTarget.value)}>
              <option value="">{t('an.all')}</option>
              <option value="web">web</option>
              <option value="app">app</option>
            </select>
          )}
        </Field>
        <Field label={t('an.segment')} error={errorAt(error, 'segment')}>
          {(a) => <input {...a} name="segment" value={form.segment ?? ''} onInput={(e) => set('segment', e.currentTarget.value)} />}
        </Field>
        {analysis !== 'matching' && (
          <Field label={t('an.audience')} error={errorAt(error, 'audience')}>
            {(a) => (
              <select {...a} name="audience" value={form.audience ?? ''} onChange={(e) => set('audience', e.currentTarget.value)}>
                <option value="">{t('an.all')}</option>
                {(audiences.data?.audiences ?? []).map((x) => (
                  <option value={x.id}>{`${x.name} (${x.size})`}</option>
                ))}
              </select>
            )}
          </Field>
        )}
        {PARAMS[analysis].map((p) => (
          <Param spec={p} value={form[p.name] ?? ''} error={errorAt(error, p.name)} onChange={(v) => set(p.name, v)} t={t} />
        ))}
        <div class="an-form-actions">
          <button type="submit" class="primary" disabled={answer.loading}>
            {t('an.run')}
          </button>
          <button type="button" onClick={exportCsv} disabled={!answer.data}>
            {t('an.csv')}
          </button>
        </div>
      </form>
      <Alert error={error && !error.path ? error : undefined} />
      {answer.data && <Result answer={answer.data} asked={asked} onSaved={audiences.reload} />}
    </Page>
  );
}

function Param({ spec, value, error, onChange, t }: { spec: ParamSpec; value: string; error?: string; onChange: (v: string) => void; t: AnT }) {
  const label = (l: string) => (l.startsWith('an.') ? t(l as AnKey) : l);
  return (
    <Field label={t(spec.label)} error={error} wide={spec.name === 'steps' && spec.kind === 'text'}>
      {(a) =>
        spec.kind === 'select' ? (
          <select {...a} name={spec.name} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
            {spec.options.map(([v, l]) => (
              <option value={v}>{label(l)}</option>
            ))}
          </select>
        ) : (
          <input {...a} name={spec.name} inputMode={spec.kind === 'number' ? 'numeric' : undefined} placeholder={spec.placeholder} value={value} onInput={(e) => onChange(e.currentTarget.value)} />
        )
      }
    </Field>
  );
}

function Result({ answer, asked, onSaved }: { answer: AnalysisAnswer; asked: string; onSaved: () => void }) {
  const { t } = useAnT();
  const view = useMemo(() => viewOf(answer, t), [answer, t]);
  const lists = listsOf(answer.analysis, answer.analysis === 'funnel' ? answer.steps.length : 0);
  return (
    <div class="an-result">
      <p class="an-range">{t('an.range', { from: answer.from, to: answer.to })}</p>
      {view.summary.map((s) => (
        <p class="an-summary">{s}</p>
      ))}
      <div class="an-split">
        <section class="card" aria-label={t('an.chart')}>
          <Chart option={view.option} label={view.label} height={answer.analysis === 'path' ? 420 : 340} />
        </section>
        <div class="an-tables">
          {view.tables.map((tb) => (
            <DataTable table={tb} />
          ))}
        </div>
      </div>
      {lists.length > 0 && <MakeAudience analysis={answer.analysis} asked={asked} lists={lists} onSaved={onSaved} />}
    </div>
  );
}

function DataTable({ table }: { table: Table }) {
  const { t } = useAnT();
  return (
    <div class="an-table-wrap" tabIndex={0} role="region" aria-label={`${t('an.table')}: ${table.caption}`}>
      <table class="grid compact-grid">
        <caption>{table.caption}</caption>
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th scope="col" class={c.num ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.length === 0 && (
            <tr>
              <td colSpan={table.columns.length} class="empty">
                {t('an.empty')}
              </td>
            </tr>
          )}
          {table.rows.map((r) => (
            <tr>
              {r.map((v, i) => (
                <td class={table.columns[i]?.num ? 'num' : undefined}>{v}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MakeAudience({ analysis, asked, lists, onSaved }: { analysis: AnalysisName; asked: string; lists: ReturnType<typeof listsOf>; onSaved: () => void }) {
  const { api, app, session } = useShell();
  const { t } = useAnT();
  const [list, setList] = useState(lists[0]![0]);
  const [title, setTitle] = useState('');
  const [error, setError] = useState<ApiError>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (session.role === 'viewer') return <p class="muted">{t('an.editorOnly')}</p>;
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      const q = `${asked ? `${asked}&` : ''}list=${encodeURIComponent(list)}`;
      const saved = await api.send<AudienceAnswer>('POST', `/apps/${encodeURIComponent(app)}/analytics/${analysis}/audience?${q}`, { name: title });
      setNotice(t('an.saved', { name: saved.name, n: saved.size }));
      setTitle('');
      onSaved();
    } catch (x) {
      setError(asApiError(x));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card an-audience" onSubmit={save} aria-labelledby="an-audience-title">
      <h2 id="an-audience-title">{t('an.makeAudience')}</h2>
      <Alert error={error && error.path !== 'name' ? error : undefined} />
      <Notice text={notice} />
      <div class="row">
        <Field label={t('an.audienceList')}>
          {(a) => (
            <select {...a} name="list" value={list} onChange={(e) => setList(e.currentTarget.value)}>
              {lists.map(([v, k, vars]) => (
                <option value={v}>{t(k, vars)}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('an.audienceName')} error={errorAt(error, 'name')}>
          {(a) => <input {...a} name="audience-name" required maxLength={128} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />}
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          {t('an.save')}
        </button>
      </div>
    </form>
  );
}
