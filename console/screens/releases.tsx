/**
 * Releases: the drafts' diff against live and the publish form (submit for approval under the
 * app's four-eyes policy, optionally scheduled), then the release history with approve, reject,
 * each release's diff, and roll back to any earlier one.
 */
import { useState } from 'preact/hooks';
import type { ApiError } from '../api';
import { useI18n, type MessageKey } from '../i18n';
import type { List } from '../rules';
import { Alert, asApiError, Chip, Field, Notice, Page, useLoad, useShell, when, type Status } from '../ui';

interface Release {
  version: number;
  status: Status;
  note: string;
  createdBy: string;
  createdAt: string;
  approvedBy?: string;
  goLiveAt?: string;
  liveAt?: string;
  rollbackOf?: number;
  reason?: string;
  counts: Record<string, number>;
}
interface Change {
  kind: string;
  id: string;
  change: 'added' | 'changed' | 'removed';
  before?: unknown;
  after?: unknown;
}

export function Releases() {
  const { api, app, session } = useShell();
  const { t, locale } = useI18n();
  const base = `/apps/${encodeURIComponent(app)}`;
  const info = useLoad(() => api.get<{ fourEyes: boolean; live: number | null }>(base), [app]);
  const drafts = useLoad(() => api.get<List<Change>>(`${base}/drafts`), [app]);
  const releases = useLoad(() => api.get<List<Release>>(`${base}/releases`), [app]);
  const [note, setNote] = useState('');
  const [goLive, setGoLive] = useState('');
  const [error, setError] = useState<ApiError>();
  const [notice, setNotice] = useState<string>();
  const [diff, setDiff] = useState<{ version: number; items: Change[] }>();
  const mayPublish = session.role === 'publisher' || session.role === 'admin';

  const act = async (run: () => Promise<Release>) => {
    setError(undefined);
    setNotice(undefined);
    try {
      const r = await run();
      setNotice(t('releases.published', { v: r.version, status: t(`status.${r.status}` as MessageKey) }));
      drafts.reload();
      releases.reload();
      info.reload();
    } catch (x) {
      setError(asApiError(x));
    }
  };

  const publish = (e: Event) => {
    e.preventDefault();
    const body: Record<string, string> = {};
    if (note) body.note = note;
    if (goLive) body.goLiveAt = new Date(goLive).toISOString();
    void act(async () => {
      const r = await api.send<Release>('POST', `${base}/releases`, body);
      setNote('');
      setGoLive('');
      return r;
    });
  };

  const showDiff = async (version: number) => {
    try {
      const d = await api.get<{ items: Change[] }>(`${base}/releases/${version}/diff`);
      setDiff({ version, items: d.items });
    } catch (x) {
      setError(asApiError(x));
    }
  };

  const changes = drafts.data?.items ?? [];
  return (
    <Page title={t('releases.title')}>
      <Alert error={error ?? drafts.error ?? releases.error} />
      <Notice text={notice} />
      <div class="split">
        <form class="card form" onSubmit={publish} aria-labelledby="publish-title">
          <h2 id="publish-title">{t('releases.diff')}</h2>
          {changes.length === 0 ? <p class="muted">{t('releases.noDrafts')}</p> : <Changes items={changes} />}
          <Field label={t('releases.note')} error={error?.path === 'note' ? error.message : undefined}>
            {(a) => <input {...a} name="note" value={note} onInput={(e) => setNote(e.currentTarget.value)} />}
          </Field>
          <Field label={t('releases.goLiveAt')} error={error?.path === 'goLiveAt' ? error.message : undefined}>
            {(a) => <input {...a} name="goLiveAt" type="datetime-local" value={goLive} onInput={(e) => setGoLive(e.currentTarget.value)} />}
          </Field>
          <button type="submit" class="primary" disabled={!mayPublish || changes.length === 0}>
            {info.data?.fourEyes ? t('releases.submit') : t('releases.publish')}
          </button>
        </form>
        {diff && (
          <section class="card" aria-labelledby="diff-title">
            <h2 id="diff-title">
              {t('releases.version')} {diff.version}
            </h2>
            <Changes items={diff.items} />
          </section>
        )}
      </div>
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">{t('releases.version')}</th>
            <th scope="col">{t('common.status')}</th>
            <th scope="col">{t('releases.note')}</th>
            <th scope="col">{t('releases.by')}</th>
            <th scope="col">{t('releases.approvedBy')}</th>
            <th scope="col">{t('releases.at')}</th>
            <th scope="col">{t('common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {(releases.data?.items ?? []).map((r) => (
            <tr data-version={r.version}>
              <td class="num">{r.version}</td>
              <td>
                <Chip status={r.status} />
              </td>
              <td>{r.note || (r.rollbackOf ? `↺ ${r.rollbackOf}` : '')}</td>
              <td>{r.createdBy}</td>
              <td>{r.approvedBy ?? ''}</td>
              <td class="muted">{when(r.liveAt ?? r.goLiveAt ?? r.createdAt, locale)}</td>
              <td class="row-actions">
                <button type="button" class="ghost" onClick={() => showDiff(r.version)}>
                  Diff
                </button>
                {mayPublish && r.status === 'pending' && (
                  <>
                    <button type="button" onClick={() => act(() => api.send<Release>('POST', `${base}/releases/${r.version}/approve`, {}))}>
                      {t('releases.approve')}
                    </button>
                    <button type="button" class="ghost" onClick={() => act(() => api.send<Release>('POST', `${base}/releases/${r.version}/reject`, {}))}>
                      {t('releases.reject')}
                    </button>
                  </>
                )}
                {mayPublish && r.status === 'superseded' && (
                  <button
                    type="button"
                    class="ghost"
                    onClick={() => confirm(t('releases.confirmRollback', { v: r.version })) && act(() => api.send<Release>('POST', `${base}/releases/${r.version}/rollback`, {}))}
                  >
                    {t('releases.rollback')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  );
}

function Changes({ items }: { items: Change[] }) {
  const { t } = useI18n();
  return (
    <ul class="changes">
      {items.map((c) => (
        <li class={`change-${c.change}`}>
          <details>
            <summary>
              <span class={`tag tag-${c.change}`}>{t(`change.${c.change}` as MessageKey)}</span> {c.kind}/<span class="mono">{c.id}</span>
            </summary>
            <div class="diff-cols">
              <pre class="code-out">{c.before === undefined ? '' : JSON.stringify(c.before, null, 2)}</pre>
              <pre class="code-out">{c.after === undefined ? '' : JSON.stringify(c.after, null, 2)}</pre>
            </div>
          </details>
        </li>
      ))}
    </ul>
  );
}
