/** Accounts (admin only): who may do what on which apps; create, change role, disable. */
import { useState } from 'preact/hooks';
import type { ApiError } from '../api';
import { useI18n, type MessageKey } from '../i18n';
import type { List } from '../rules';
import { Alert, asApiError, errorAt, Field, Notice, Page, useLoad, useShell, when } from '../ui';

const ROLES = ['viewer', 'editor', 'publisher', 'admin'] as const;
interface User {
  username: string;
  role: (typeof ROLES)[number];
  apps: string[];
  disabled: boolean;
  createdAt: string;
}

export function Accounts() {
  const { api, session } = useShell();
  const { t, locale } = useI18n();
  const users = useLoad(() => (session.role === 'admin' ? api.get<List<User>>('/users') : Promise.resolve({ items: [] })), []);
  const [form, setForm] = useState({ username: '', role: 'editor' as User['role'], apps: '*', password: '' });
  const [error, setError] = useState<ApiError>();
  const [notice, setNotice] = useState<string>();

  const run = async (f: () => Promise<unknown>, done: string) => {
    setError(undefined);
    setNotice(undefined);
    try {
      await f();
      setNotice(done);
      users.reload();
    } catch (x) {
      setError(asApiError(x));
    }
  };

  if (session.role !== 'admin')
    return (
      <Page title={t('accounts.title')}>
        <p>{t('accounts.adminOnly')}</p>
      </Page>
    );

  const create = (e: Event) => {
    e.preventDefault();
    const apps = form.apps.split(/[,，\s]+/).filter(Boolean);
    void run(() => api.send('POST', '/users', { ...form, apps }), t('common.saved'));
  };

  return (
    <Page title={t('accounts.title')}>
      <Alert error={error ?? users.error} />
      <Notice text={notice} />
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">{t('accounts.username')}</th>
            <th scope="col">{t('accounts.role')}</th>
            <th scope="col">{t('nav.app')}</th>
            <th scope="col">{t('common.status')}</th>
            <th scope="col">{t('releases.at')}</th>
            <th scope="col">{t('common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {(users.data?.items ?? []).map((u) => (
            <tr>
              <td>{u.username}</td>
              <td>
                <label>
                  <span class="sr-only">{`${t('accounts.role')} ${u.username}`}</span>
                  <select value={u.role} onChange={(e) => run(() => api.send('PUT', `/users/${encodeURIComponent(u.username)}`, { role: e.currentTarget.value }), t('common.saved'))}>
                    {ROLES.map((r) => (
                      <option value={r}>{t(`role.${r}` as MessageKey)}</option>
                    ))}
                  </select>
                </label>
              </td>
              <td class="mono">{u.apps.join(', ')}</td>
              <td>{u.disabled ? <span class="chip chip-ended">{t('accounts.disabled')}</span> : <span class="chip chip-live">OK</span>}</td>
              <td class="muted">{when(u.createdAt, locale)}</td>
              <td>
                <button type="button" class="ghost" onClick={() => run(() => api.send('PUT', `/users/${encodeURIComponent(u.username)}`, { disabled: !u.disabled }), t('common.saved'))}>
                  {u.disabled ? t('accounts.enable') : t('accounts.disable')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="card form" onSubmit={create} noValidate aria-labelledby="new-user">
        <h2 id="new-user">{t('accounts.create')}</h2>
        <div class="row">
          <Field label={t('accounts.username')} error={errorAt(error, 'username')}>
            {(a) => <input {...a} name="username" autoComplete="off" value={form.username} onInput={(e) => setForm({ ...form, username: e.currentTarget.value })} />}
          </Field>
          <Field label={t('accounts.role')} error={errorAt(error, 'role')}>
            {(a) => (
              <select {...a} value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value as User['role'] })}>
                {ROLES.map((r) => (
                  <option value={r}>{t(`role.${r}` as MessageKey)}</option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <div class="row">
          <Field label={t('accounts.apps')} error={errorAt(error, 'apps')}>
            {(a) => <input {...a} name="apps" value={form.apps} onInput={(e) => setForm({ ...form, apps: e.currentTarget.value })} />}
          </Field>
          <Field label={t('accounts.password')} error={errorAt(error, 'password')}>
            {(a) => <input {...a} name="password" type="password" autoComplete="new-password" value={form.password} onInput={(e) => setForm({ ...form, password: e.currentTarget.value })} />}
          </Field>
        </div>
        <button type="submit" class="primary">
          {t('accounts.create')}
        </button>
      </form>
    </Page>
  );
}
