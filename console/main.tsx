/**
 * The operator console: log-in, then one screen per capability of the admin API, routed by the
 * URL's hash (`#/a/demo/campaigns`) so the server serves one page and a reload keeps the screen.
 * Started by index.html's module script; nothing runs at import but `start()` being exported.
 */
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { createApi, type Session } from './api';
import { I18n, useI18n, initialLocale, LOCALES, saveLocale, translator, type Locale, type MessageKey } from './i18n';
import { Notice, ShellContext, useShell, type Shell } from './ui';
import { Login } from './screens/login';
import { Apps } from './screens/apps';
import { Campaigns } from './screens/campaigns';
import { CampaignEditor } from './screens/campaign-editor';
import { RuleScreen } from './screens/rules';
import { Items } from './screens/items';
import { Releases } from './screens/releases';
import { Audit } from './screens/audit';
import { Accounts } from './screens/accounts';
import { Templates } from './screens/templates';
import { TemplateForm } from './screens/template-form';
import { Imports } from './screens/imports';

/** the sections under one app (`#/a/:app/:section`); the rest (apps, accounts) are global */
const APP_SECTIONS = ['campaigns', 'templates', 'tags', 'triggers', 'slots', 'items', 'releases', 'imports', 'audit', 'analytics'] as const;

interface Route {
  app?: string;
  section: string;
  id?: string;
}

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'a' && parts[1]) return { app: parts[1], section: parts[2] ?? 'campaigns', id: parts[3] };
  return { section: parts[0] ?? '' };
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function App() {
  const [locale, setLocale] = useState<Locale>(initialLocale);
  const t = useMemo(() => translator(locale), [locale]);
  const [session, setSession] = useState<Session | undefined>();
  const [ready, setReady] = useState(false);
  const [message, setMessage] = useState<MessageKey | undefined>();
  const api = useMemo(
    () =>
      createApi({
        onExpired: () => {
          setSession(undefined);
          setMessage('login.expired');
        },
      }),
    [],
  );
  const hash = useHash();
  const route = parseRoute(hash);
  const [flash, setFlash] = useState<{ hash: string; text: string }>();

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  useEffect(() => {
    api.resume().then((s) => {
      setSession(s);
      setReady(true);
    });
  }, []);

  const pickLocale = (l: Locale) => {
    saveLocale(l);
    setLocale(l);
  };

  const switcher = (
    <label class="lang">
      <span>{t('lang.label')}</span>
      <select value={locale} onChange={(e) => pickLocale((e.currentTarget as HTMLSelectElement).value as Locale)}>
        {LOCALES.map((l) => (
          <option value={l}>{l === 'en' ? 'English' : '简体中文'}</option>
        ))}
      </select>
    </label>
  );

  let body;
  if (!ready) body = <p class="loading">{t('common.loading')}</p>;
  else if (!session)
    body = (
      <Login
        api={api}
        message={message}
        switcher={switcher}
        onIn={(s) => {
          setMessage(undefined);
          setSession(s);
          if (!location.hash || location.hash === '#/') location.hash = defaultHash(s);
        }}
      />
    );
  else {
    const app = route.app ?? (session.apps.includes('*') ? 'demo' : session.apps[0] ?? 'demo');
    const shell: Shell = {
      api,
      session,
      app,
      go: (h) => (location.hash = h),
      goWith: (h, text) => {
        setFlash({ hash: h, text });
        location.hash = h;
      },
    };
    body = (
      <ShellContext.Provider value={shell}>
        <Frame
          route={route}
          flash={flash?.hash === hash ? flash.text : undefined}
          switcher={switcher}
          onLogout={async () => {
            await api.logout().catch(() => {});
            setSession(undefined);
            setMessage('login.loggedOut');
          }}
        />
      </ShellContext.Provider>
    );
  }
  return <I18n.Provider value={{ locale, t }}>{body}</I18n.Provider>;
}

const defaultHash = (s: Session) => `#/a/${encodeURIComponent(s.apps.includes('*') ? 'demo' : s.apps[0] ?? 'demo')}/campaigns`;

function Frame({ route, flash, switcher, onLogout }: { route: Route; flash?: string; switcher: preact.JSX.Element; onLogout: () => void }) {
  const { session, app } = useShell();
  const { t } = useI18n();
  const link = (section: string) => (APP_SECTIONS.includes(section as never) ? `#/a/${encodeURIComponent(app)}/${section}` : `#/${section}`);
  const current = route.app ? route.section : route.section || 'campaigns';
  const nav: [string, MessageKey][] = [
    ['campaigns', 'nav.campaigns'],
    ['templates', 'nav.templates'],
    ['tags', 'nav.tags'],
    ['triggers', 'nav.triggers'],
    ['slots', 'nav.slots'],
    ['items', 'nav.items'],
    ['releases', 'nav.releases'],
    ['imports', 'nav.imports'],
    ['audit', 'nav.audit'],
    ['analytics', 'nav.analytics'],
  ];
  const global: [string, MessageKey][] = [['apps', 'nav.apps'], ...(session.role === 'admin' ? ([['accounts', 'nav.accounts']] as [string, MessageKey][]) : [])];
  return (
    <div class="frame">
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('page-title')?.focus())}>
        {t('nav.label')} ↓
      </a>
      <header class="top">
        <span class="brand">Slotwise</span>
        <span class="brand-sub">{t('app.title')}</span>
        <span class="spacer" />
        {switcher}
        <span class="who">
          {session.username} · {t(`role.${session.role}` as MessageKey)}
        </span>
        <button type="button" class="ghost" onClick={onLogout}>
          {t('logout')}
        </button>
      </header>
      <nav class="side" aria-label={t('nav.label')}>
        <p class="side-app">
          {t('nav.app')}: <strong>{app}</strong>
        </p>
        <ul>
          {nav.map(([s, k]) => (
            <li>
              <a href={link(s)} aria-current={route.app && current === s ? 'page' : undefined}>
                {t(k)}
              </a>
            </li>
          ))}
        </ul>
        <ul class="side-global">
          {global.map(([s, k]) => (
            <li>
              <a href={link(s)} aria-current={!route.app && current === s ? 'page' : undefined}>
                {t(k)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" class="main">
        <Notice text={flash} />
        <Screen route={route} />
      </main>
    </div>
  );
}


function Screen({ route }: { route: Route }) {
  if (!route.app) {
    if (route.section === 'apps') return <Apps />;
    if (route.section === 'accounts') return <Accounts />;
    return <Campaigns />;
  }
  switch (route.section) {
    case 'campaigns':
      return route.id ? <CampaignEditor id={route.id === 'new' ? undefined : route.id} key={route.id} /> : <Campaigns />;
    case 'templates':
      return route.id ? <TemplateForm id={route.id} key={route.id} /> : <Templates />;
    case 'tags':
    case 'triggers':
    case 'slots':
      return <RuleScreen kind={route.section} key={route.section} />;
    case 'items':
      return <Items />;
    case 'releases':
      return <Releases />;
    case 'imports':
      return <Imports />;
    case 'audit':
      return <Audit />;
    case 'analytics':
      return <Lazy load={loadAnalytics} props={{ name: route.id }} />;
    default:
      return <Campaigns />;
  }
}

// the analyses carry ECharts: their chunk loads when an analysis screen is first opened
const loadAnalytics = () => import('./screens/analytics').then((m) => m.Analytics);

/** A screen whose module loads on first use. */
function Lazy<P extends object>({ load, props }: { load: () => Promise<preact.ComponentType<P>>; props: P }) {
  const { t } = useI18n();
  const [C, setC] = useState<{ c: preact.ComponentType<P> }>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    load().then(
      (c) => setC({ c }),
      (e) => {
        // a chunk that did not load (a deploy replaced it, the network failed): say so, and keep the why
        console.error('console: a screen failed to load:', e);
        setFailed(true);
      },
    );
  }, [load]);
  if (failed) return <p class="alert" role="alert">{t('common.error')}</p>;
  return C ? <C.c {...props} /> : <p class="loading">{t('common.loading')}</p>;
}

/** Renders the console into `root`. */
export function start(root: HTMLElement = document.getElementById('console')!): void {
  render(<App />, root);
}
