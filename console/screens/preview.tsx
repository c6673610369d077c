/**
 * The live preview beside a campaign: what a chosen sample customer would see in each slot of a
 * page with the app's drafts applied (`POST /admin/v1/apps/:app/preview`), with each item's
 * strategy and reasons and the campaigns that fired. Items the form pins are marked.
 */
import { useState } from 'preact/hooks';
import type { ApiError } from '../api';
import { useI18n } from '../i18n';
import type { SlotLayout } from '../rules';
import { Alert, asApiError, Field, useShell } from '../ui';

interface PreviewItem {
  id: string;
  title: string;
  kind: string;
  risk?: string;
  strategy: string;
  reasons?: { label: string }[];
}
interface PreviewAnswer {
  answer: { slots: Record<string, { items: PreviewItem[] }> };
  campaigns: string[];
}

const TOLERANCES = ['C1', 'C2', 'C3', 'C4', 'C5'] as const;

/** The slots a page lays out: the layout for it, else home's, else the first. */
export function slotsFor(layouts: SlotLayout[], page: string): SlotLayout['slots'] {
  const l = layouts.find((x) => x.page === page) ?? layouts.find((x) => x.page === 'home' || x.id === 'home') ?? layouts[0];
  return l?.slots ?? [{ id: 'home.today', kind: 'picks', count: 4 }];
}

export function Preview({ layouts, pinned, titles }: { layouts: SlotLayout[]; pinned: Set<string>; titles: Map<string, string> }) {
  const { api, app } = useShell();
  const { t, locale } = useI18n();
  const [risk, setRisk] = useState<string>('C3');
  const [page, setPage] = useState('home');
  const [tags, setTags] = useState('');
  const [result, setResult] = useState<PreviewAnswer>();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);

  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const tagMap: Record<string, string | number | boolean> = {};
    for (const line of tags.split('\n')) {
      const [k, ...rest] = line.split('=');
      if (!k?.trim()) continue;
      const v = rest.join('=').trim();
      tagMap[k.trim()] = v === '' || v === 'true' ? true : v === 'false' ? false : Number.isFinite(Number(v)) ? Number(v) : v;
    }
    const path = page === 'home' ? '/' : `/${page}`;
    try {
      setResult(
        await api.send<PreviewAnswer>('POST', `/apps/${encodeURIComponent(app)}/preview`, {
          // a decide request for a new visitor (what the admin API takes today) that also reads
          // as server-stub/rules' preview sample (page, traits), so either side understands it
          anonymousId: 'console-preview',
          sessionId: 'console-preview',
          context: { page: path, channel: 'web', locale },
          page: path,
          locale,
          ...(risk ? { riskTolerance: risk, traits: { riskTolerance: risk } } : {}),
          ...(Object.keys(tagMap).length ? { tags: tagMap } : {}),
          slots: slotsFor(layouts, page),
        }),
      );
    } catch (x) {
      setError(asApiError(x));
    } finally {
      setBusy(false);
    }
  };

  return (
    <aside class="card preview" aria-labelledby="preview-title">
      <h2 id="preview-title">{t('preview.title')}</h2>
      <form onSubmit={run}>
        <p class="hint">{t('preview.hint')}</p>
        <div class="row compact">
          <Field label={t('preview.risk')}>
            {(a) => (
              <select {...a} value={risk} onChange={(e) => setRisk(e.currentTarget.value)}>
                <option value="">{t('preview.riskUnknown')}</option>
                {TOLERANCES.map((c) => (
                  <option value={c}>{c}</option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('preview.page')}>{(a) => <input {...a} value={page} onInput={(e) => setPage(e.currentTarget.value || 'home')} />}</Field>
        </div>
        <Field label={t('preview.tags')}>{(a) => <textarea {...a} rows={2} value={tags} onInput={(e) => setTags(e.currentTarget.value)} placeholder="loan_intent=true" />}</Field>
        <button type="submit" disabled={busy}>
          {t('preview.run')}
        </button>
      </form>
      <Alert error={error} />
      <div aria-live="polite" class="preview-result">
        {result && (
          <>
            <p class="muted">
              {t('preview.fired')}: {result.campaigns.length ? result.campaigns.join(', ') : t('preview.none')}
            </p>
            {Object.entries(result.answer.slots).map(([slot, { items }]) => (
              <section class="preview-slot" data-slot={slot}>
                <h3>{slot}</h3>
                <ol>
                  {items.map((it) => (
                    <li class={pinned.has(it.id) ? 'pinned' : ''} data-item={it.id}>
                      <span class="pv-title">{it.title || titles.get(it.id) || it.id}</span>
                      <span class="pv-meta">
                        {it.id} · {it.strategy}
                        {it.risk ? ` · ${it.risk}` : ''}
                        {pinned.has(it.id) ? ' · 📌' : ''}
                      </span>
                      {it.reasons?.length ? <span class="pv-why">{it.reasons.map((r) => r.label).join(' / ')}</span> : null}
                    </li>
                  ))}
                </ol>
              </section>
            ))}
          </>
        )}
      </div>
    </aside>
  );
}
