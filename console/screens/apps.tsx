/** Apps and their public keys: the apps this operator may see, four-eyes on/off, keys made and revoked (admin). */
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api';
import { useI18n } from '../i18n';
import type { List } from '../rules';
import { Alert, asApiError, Field, Notice, Page, useLoad, useShell, when } from '../ui';

interface AppRow {
  id: string;
  name: string;
  fourEyes: boolean;
  live: number | null;
  createdAt: string;
}
interface Key {
  key: string;
  app: string;
  source: 'config' | 'admin';
  createdAt?: string;
  createdBy?: string;
}

export function Apps() {
  const { api, session } = useShell();
  const { t, locale } = useI18n();
  const apps = useLoad(() => api.get<List<AppRow>>('/apps'), []);
  const [open, setOpen] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [notice, setNotice] = useState<string>();
  const [newId, setNewId] = useState('');
  // the box shows the operator's choice while the change is on its way (and the old value if it fails)
  const [choice, setChoice] = useState<Record<string, boolean>>({});
  const admin = session.role === 'admin';

  const run = async (f: () => Promise<unknown>, done?: string) => {
    setError(undefined);
    setNotice(undefined);
    try {
      await f();
      if (done) setNotice(done);
      apps.reload();
      return true;
    } catch (x) {
      setError(asApiError(x));
      return false;
    }
  };
  useEffect(() => setChoice({}), [apps.data]);

  return (
    <Page title={t('apps.title')}>
      <Alert error={error ?? apps.error} />
      <Notice text={notice} />
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">{t('common.id')}</th>
            <th scope="col">{t('apps.name')}</th>
            <th scope="col">{t('apps.fourEyes')}</th>
            <th scope="col" class="num">
              {t('apps.live')}
            </th>
            <th scope="col">{t('common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {(apps.data?.items ?? []).map((a) => (
            <tr>
              <td class="mono">
                <a href={`#/a/${encodeURIComponent(a.id)}/campaigns`}>{a.id}</a>
              </td>
              <td>{a.name}</td>
              <td>
                <label class="check">
                  <input
                    type="checkbox"
                    checked={choice[a.id] ?? a.fourEyes}
                    disabled={!admin}
                    onChange={(e) => {
                      const fourEyes = e.currentTarget.checked;
                      setChoice((c) => ({ ...c, [a.id]: fourEyes }));
                      void run(() => api.send('PUT', `/apps/${encodeURIComponent(a.id)}`, { fourEyes })).then((ok) => ok || setChoice({}));
                    }}
                  />
                  <span class="sr-only">{`${t('apps.fourEyes')} ${a.id}`}</span>
                </label>
              </td>
              <td class="num">{a.live ?? '—'}</td>
              <td>
                <button type="button" class="ghost" aria-expanded={open === a.id} onClick={() => setOpen(open === a.id ? undefined : a.id)}>
                  {t('apps.keys')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {admin && (
        <form class="toolbar" onSubmit={(e) => (e.preventDefault(), run(() => api.send('POST', '/apps', { id: newId }), t('common.saved')))}>
          <Field label={t('common.id')} error={error?.path === 'id' ? error.message : undefined}>
            {(a) => <input {...a} name="app-id" value={newId} onInput={(e) => setNewId(e.currentTarget.value)} />}
          </Field>
          <button type="submit">{t('apps.create')}</button>
        </form>
      )}
      {open && <Keys app={open} admin={admin} locale={locale} />}
    </Page>
  );
}

function Keys({ app, admin, locale }: { app: string; admin: boolean; locale: string }) {
  const { api } = useShell();
  const { t } = useI18n();
  const keys = useLoad(() => api.get<List<Key>>(`/apps/${encodeURIComponent(app)}/keys`), [app]);
  const [error, setError] = useState<ApiError>();
  const act = async (f: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await f();
      keys.reload();
    } catch (x) {
      setError(asApiError(x));
    }
  };
  return (
    <section class="card" aria-labelledby="keys-title">
      <h2 id="keys-title">
        {t('apps.keys')} · {app}
      </h2>
      <Alert error={error ?? keys.error} />
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">{t('apps.source')}</th>
            <th scope="col">{t('releases.at')}</th>
            <th scope="col">{t('common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {(keys.data?.items ?? []).map((k) => (
            <tr>
              <td class="mono">{k.key}</td>
              <td>{k.source}</td>
              <td class="muted">{when(k.createdAt, locale)}</td>
              <td>
                {admin && k.source === 'admin' && (
                  <button type="button" class="danger" onClick={() => act(() => api.send('DELETE', `/apps/${encodeURIComponent(app)}/keys/${encodeURIComponent(k.key)}`))}>
                    {t('common.delete')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {admin && (
        <button type="button" onClick={() => act(() => api.send('POST', `/apps/${encodeURIComponent(app)}/keys`, {}))}>
          {t('apps.newKey')}
        </button>
      )}
    </section>
  );
}
