/**
 * Customer data of the app (issue 20): the import history with its exact counts, each import's
 * rejected lines as a CSV download, rollback to a kept snapshot, and the identity settings
 * (mode, risk policy, validity; a new secret shown once). Files are imported with
 * `npm run import` or `POST …/imports`; this screen reads and steers.
 */
import { useState } from 'preact/hooks';
import { useI18n } from '../i18n';
import type { List } from '../rules';
import { Alert, asApiError, download, Field, Page, useLoad, useShell, when } from '../ui';
import type { ApiError } from '../api';
import type { IdentitySettings, ImportAnswer } from '../../sdk/contract-customer';

export function Imports() {
  const { api, app } = useShell();
  const { t, locale } = useI18n();
  const base = `/apps/${encodeURIComponent(app)}`;
  const list = useLoad(() => api.get<List<ImportAnswer>>(`${base}/imports`), [app]);
  const identity = useLoad(() => api.get<IdentitySettings>(`${base}/identity`), [app]);
  const [error, setError] = useState<ApiError>();
  const [secret, setSecret] = useState<string>();
  const act = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      list.reload();
      identity.reload();
    } catch (x) {
      setError(asApiError(x));
    }
  };
  const s = identity.data;

  return (
    <Page title={t('imports.title')}>
      <Alert error={error ?? list.error ?? identity.error} />
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('imports.kind')}</th>
            <th scope="col">{t('imports.asOf')}</th>
            <th scope="col">{t('imports.status')}</th>
            <th scope="col">{t('imports.counts')}</th>
            <th scope="col">{t('audit.actor')}</th>
            <th scope="col">{t('releases.at')}</th>
            <th scope="col">{t('imports.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {(list.data?.items ?? []).map((i) => (
            <tr>
              <td class="mono">{i.id}</td>
              <td>{i.kind}</td>
              <td class="nowrap">{i.asOf}</td>
              <td title={i.note}>{i.status}</td>
              <td class="mono nowrap">
                {i.lines} = +{i.inserted} ~{i.updated} ={i.unchanged} ✗{i.rejected}
              </td>
              <td>{i.actor}</td>
              <td class="muted nowrap">{when(i.startedAt, locale)}</td>
              <td class="nowrap">
                {i.rejected ? (
                  <button type="button" onClick={() => act(async () => download(`import-${i.id}-rejected.csv`, 'text/csv', await api.text(`${base}/imports/${i.id}/rejected`)))}>
                    {t('imports.rejected')}
                  </button>
                ) : null}
                {i.status === 'kept' ? (
                  <button type="button" onClick={() => confirm(t('imports.confirmRollback').replace('{id}', String(i.id))) && act(() => api.send('POST', `${base}/imports/${i.id}/rollback`))}>
                    {t('imports.rollback')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{t('imports.identity')}</h2>
      {s ? (
        <div class="toolbar">
          <Field label={t('imports.mode')}>
            {(a) => (
              <select {...a} value={s.mode} onChange={(e) => act(() => api.send('PUT', `${base}/identity`, { mode: e.currentTarget.value }))}>
                <option value="open">open</option>
                <option value="signed">signed</option>
              </select>
            )}
          </Field>
          <Field label={t('imports.riskPolicy')}>
            {(a) => (
              <select {...a} value={s.riskPolicy} onChange={(e) => act(() => api.send('PUT', `${base}/identity`, { riskPolicy: e.currentTarget.value }))}>
                <option value="page">page</option>
                <option value="conservative">conservative</option>
              </select>
            )}
          </Field>
          <Field label={t('imports.validityDays')}>
            {(a) => <input {...a} type="number" min={1} max={3660} value={s.validityDays} onChange={(e) => act(() => api.send('PUT', `${base}/identity`, { validityDays: Number(e.currentTarget.value) }))} />}
          </Field>
          <button type="button" onClick={() => act(async () => setSecret((await api.send<{ secret: string }>('POST', `${base}/identity/secret`)).secret))}>
            {s.hasSecret ? t('imports.rotate') : t('imports.createSecret')}
          </button>
        </div>
      ) : null}
      {secret ? (
        <p role="status">
          {t('imports.secretOnce')} <code class="mono">{secret}</code>
        </p>
      ) : null}
    </Page>
  );
}
