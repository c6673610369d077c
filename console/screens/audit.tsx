/** The audit log of the app: newest first, filtered as you type, paged with `before`, exported as CSV or JSON. */
import { useState } from 'preact/hooks';
import { useI18n } from '../i18n';
import type { List } from '../rules';
import { Alert, asApiError, download, Field, Page, useLoad, useShell, when } from '../ui';
import type { ApiError } from '../api';
import type { AuditAnswer } from '../../sdk/contract-admin';

export function Audit() {
  const { api, app } = useShell();
  const { t, locale } = useI18n();
  const base = `/apps/${encodeURIComponent(app)}/audit`;
  const [before, setBefore] = useState<number>();
  const list = useLoad(() => api.get<List<AuditAnswer>>(`${base}?limit=100${before ? `&before=${before}` : ''}`), [app, before]);
  const [q, setQ] = useState('');
  const [error, setError] = useState<ApiError>();
  const needle = q.trim().toLowerCase();
  const rows = (list.data?.items ?? []).filter((e) => !needle || `${e.actor} ${e.action} ${e.target}`.toLowerCase().includes(needle));

  const exportAs = async (format: 'csv' | 'json') => {
    setError(undefined);
    try {
      if (format === 'csv') download(`audit-${app}.csv`, 'text/csv', await api.text(`${base}?format=csv`));
      else download(`audit-${app}.json`, 'application/json', JSON.stringify((await api.get<List<AuditAnswer>>(`${base}?format=json&limit=10000`)).items, null, 2));
    } catch (x) {
      setError(asApiError(x));
    }
  };

  return (
    <Page
      title={t('audit.title')}
      actions={
        <>
          <button type="button" onClick={() => exportAs('csv')}>
            {t('audit.exportCsv')}
          </button>
          <button type="button" onClick={() => exportAs('json')}>
            {t('audit.exportJson')}
          </button>
        </>
      }
    >
      <Alert error={error ?? list.error} />
      <div class="toolbar">
        <Field label={t('audit.filter')}>{(a) => <input {...a} type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />}</Field>
      </div>
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">{t('releases.at')}</th>
            <th scope="col">{t('audit.actor')}</th>
            <th scope="col">{t('audit.action')}</th>
            <th scope="col">{t('audit.target')}</th>
            <th scope="col">{t('audit.from')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr>
              <td class="muted nowrap">{when(e.at, locale)}</td>
              <td>{e.actor}</td>
              <td class="mono">{e.action}</td>
              <td class="mono">
                <details>
                  <summary>{e.target}</summary>
                  <pre class="code-out">{JSON.stringify(e.diff, null, 2)}</pre>
                </details>
              </td>
              <td class="muted">{e.ip}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data?.next ? (
        <button type="button" onClick={() => setBefore(list.data!.next!)}>
          →
        </button>
      ) : null}
    </Page>
  );
}
