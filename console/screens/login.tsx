/** Log-in: the only screen without a session. A failed log-in is announced and keeps the username. */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api, ApiError, Session } from '../api';
import { useI18n, type MessageKey } from '../i18n';
import { Alert, asApiError, Field } from '../ui';

export function Login({ api, message, switcher, onIn }: { api: Api; message?: MessageKey; switcher: JSX.Element; onIn: (s: Session) => void }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    document.title = `${t('login.title')} · Slotwise`;
    first.current?.focus();
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onIn(await api.login(username, password));
    } catch (err) {
      setError(asApiError(err));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login" id="main">
      <form class="login-card" onSubmit={submit} aria-labelledby="login-title" noValidate>
        <div class="login-head">
          <span class="brand">Slotwise</span>
          {switcher}
        </div>
        <h1 id="login-title">{t('login.title')}</h1>
        <p class="muted">{t('app.title')}</p>
        {message && (
          <p class="notice-box" role="status">
            {t(message)}
          </p>
        )}
        <Alert error={error && { ...error, path: '' }} />
        <Field label={t('login.username')}>
          {(a) => (
            <input {...a} ref={first} name="username" autoComplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
          )}
        </Field>
        <Field label={t('login.password')}>
          {(a) => (
            <input {...a} name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          )}
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
    </main>
  );
}
