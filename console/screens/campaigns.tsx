/** Campaigns: the list with status, window, priority and pins; a row opens the editor. */
import { useI18n } from '../i18n';
import { campaignStatus, canonical, pick, type Campaign, type DraftEntry, type List } from '../rules';
import { Alert, Chip, Page, useLoad, useShell, when, type Status } from '../ui';

export function Campaigns() {
  const { api, app } = useShell();
  const { t, locale } = useI18n();
  const list = useLoad(() => api.get<List<DraftEntry<Campaign>>>(`/apps/${encodeURIComponent(app)}/campaigns`), [app]);
  // releases that wait for approval or their time: their campaigns show as pending / scheduled
  const waiting = useLoad(async () => {
    const base = `/apps/${encodeURIComponent(app)}/releases`;
    const open = (await api.get<List<{ version: number; status: Status }>>(base)).items.filter((r) => r.status === 'pending' || r.status === 'scheduled');
    const full = await Promise.all(open.map((r) => api.get<{ status: Status; rules?: { campaigns: Campaign[] } }>(`${base}/${r.version}`)));
    return new Map(full.flatMap((r) => (r.rules?.campaigns ?? []).map((c) => [canonical(c), r.status] as const)));
  }, [app]);
  const now = Date.now();
  const rows = [...(list.data?.items ?? [])].sort((a, b) => b.value.priority - a.value.priority || a.id.localeCompare(b.id));
  const base = `#/a/${encodeURIComponent(app)}/campaigns`;
  return (
    <Page
      title={t('campaigns.title')}
      actions={
        <a class="button primary" href={`${base}/new`}>
          {t('campaigns.new')}
        </a>
      }
    >
      <Alert error={list.error} />
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">{t('common.id')}</th>
            <th scope="col">{t('campaigns.label')}</th>
            <th scope="col">{t('common.status')}</th>
            <th scope="col">{t('campaigns.window')}</th>
            <th scope="col" class="num">
              {t('campaigns.priority')}
            </th>
            <th scope="col" class="num">
              {t('campaigns.pinsCount')}
            </th>
            <th scope="col">{t('common.updated')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr>
              <td>
                <a href={`${base}/${encodeURIComponent(e.id)}`}>{e.id}</a>
              </td>
              <td>{pick(e.value.label, locale)}</td>
              <td>
                <Chip status={campaignStatus(e, now, waiting.data)} />
              </td>
              <td class="muted">
                {e.value.start === undefined && e.value.end === undefined
                  ? t('campaigns.always')
                  : `${when(e.value.start, locale) || '…'} – ${when(e.value.end, locale) || '…'}`}
              </td>
              <td class="num">{e.value.priority}</td>
              <td class="num">{e.value.pins?.length ?? 0}</td>
              <td class="muted">{e.updatedBy ? `${e.updatedBy} · ${when(e.updatedAt, locale)}` : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!list.loading && rows.length === 0 && <p class="empty">{t('common.empty')}</p>}
    </Page>
  );
}
