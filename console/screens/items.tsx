/** The catalog: a searchable table of the app's items and the CSV/JSON import with a per-row report. */
import { useState } from 'preact/hooks';
import { useI18n } from '../i18n';
import { importItems, rowsOf, type ImportResult } from '../import';
import { pick, type CatalogItem, type DraftEntry, type List } from '../rules';
import { Alert, Chip, Field, Page, useLoad, useShell } from '../ui';

const PAGE = 100;

export function Items() {
  const { api, app } = useShell();
  const { t, locale } = useI18n();
  const list = useLoad(() => api.get<List<DraftEntry<CatalogItem>>>(`/apps/${encodeURIComponent(app)}/items`), [app]);
  const [q, setQ] = useState('');
  const [progress, setProgress] = useState<string>();
  const [result, setResult] = useState<ImportResult>();
  const needle = q.trim().toLowerCase();
  const all = list.data?.items ?? [];
  const hits = all.filter(
    (e) => !needle || e.id.toLowerCase().includes(needle) || e.value.category.toLowerCase().includes(needle) || e.value.kind.includes(needle) || pick(e.value.title, locale).toLowerCase().includes(needle),
  );

  const onFile = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setResult(undefined);
    const rows = rowsOf(file.name, await file.text());
    setProgress(t('items.importing', { done: 0, total: rows.length }));
    const r = await importItems(api, app, rows, (done) => setProgress(t('items.importing', { done, total: rows.length })));
    setProgress(undefined);
    setResult(r);
    input.value = '';
    list.reload();
  };

  return (
    <Page title={t('items.title')}>
      <Alert error={list.error} />
      <div class="toolbar">
        <Field label={t('common.search')}>{(a) => <input {...a} type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />}</Field>
        <span class="muted" aria-live="polite">
          {t('items.count', { n: hits.length })}
        </span>
        <span class="spacer" />
        <Field label={t('items.import')}>{(a) => <input {...a} type="file" accept=".csv,.json,text/csv,application/json" onChange={onFile} />}</Field>
      </div>
      <div role="status" aria-live="polite" class="import-report">
        {progress && <p>{progress}</p>}
        {result && (
          <>
            <p class={result.bad.length ? 'warn' : 'ok'}>{t('items.importDone', { ok: result.ok, bad: result.bad.length })}</p>
            {result.bad.length > 0 && (
              <ul class="bad-rows">
                {result.bad.map((b) => (
                  <li data-line={b.line} data-path={b.path}>
                    {t('items.badRow', { line: b.line, path: b.path || '—', message: b.message })}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </div>
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">{t('common.id')}</th>
            <th scope="col">{t('items.titleCol')}</th>
            <th scope="col">{t('items.kind')}</th>
            <th scope="col">{t('items.category')}</th>
            <th scope="col">{t('items.risk')}</th>
            <th scope="col">{t('common.status')}</th>
          </tr>
        </thead>
        <tbody>
          {hits.slice(0, PAGE).map((e) => (
            <tr>
              <td class="mono">{e.id}</td>
              <td>{pick(e.value.title, locale)}</td>
              <td>{e.value.kind}</td>
              <td>{e.value.category}</td>
              <td>{e.value.risk ?? ''}</td>
              <td>
                <Chip status={e.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {hits.length > PAGE && <p class="muted">{`${PAGE} / ${hits.length}`}</p>}
    </Page>
  );
}
