import { useCallback, useEffect, useState } from 'react';
import { trpc, isUnauthorized, errorMessage, getActiveOrgId, setActiveOrgId, type Me } from './lib/trpc.ts';
import { navigate, useLocation } from './lib/router.ts';
import { Link } from './components/ui.tsx';
import { ForgotPasswordPage, LoginPage, RegisterPage, ResetPasswordPage } from './routes/auth-pages.tsx';
import { HomePage, OrgSwitcher } from './routes/home.tsx';
import { OutboxPage } from './routes/outbox.tsx';
import { RunsPage } from './routes/runs.tsx';
import { RunDetailPage } from './routes/run-detail.tsx';
import { HandoffsPage } from './routes/handoffs.tsx';
import { ApiKeysPage } from './routes/api-keys.tsx';
import { EnvironmentsPage } from './routes/environments.tsx';

const PUBLIC_PATHS = ['/login', '/register', '/forgot-password', '/reset-password'];
const RUN_PATH = /^\/runs\/([^/]+)\/?$/;
const ENVIRONMENTS_PATH = /^\/projects\/([^/]+)\/environments\/?$/;

export function App() {
  const { path, search } = useLocation();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const m = await trpc.session.me.query();
      // Keep the stored org only while the user still belongs to it.
      const stored = getActiveOrgId();
      if (!stored || !m.organizations.some((o) => o.id === stored)) setActiveOrgId(m.organizations[0]?.id ?? null);
      setMe(m);
      setError(null);
    } catch (e) {
      if (isUnauthorized(e)) setMe(null);
      else setError(errorMessage(e));
    }
    setVersion((v) => v + 1);
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    if (me === null && !PUBLIC_PATHS.includes(path)) navigate('/login');
  }, [me, path]);

  const logout = async () => {
    try {
      await trpc.mk.auth.logout.mutate();
    } finally {
      setActiveOrgId(null);
      setMe(null);
      navigate('/login');
    }
  };

  const runId = RUN_PATH.exec(path)?.[1];
  const envProjectId = ENVIRONMENTS_PATH.exec(path)?.[1];

  let page;
  if (path === '/register') page = <RegisterPage onSignedIn={refresh} />;
  else if (path === '/forgot-password') page = <ForgotPasswordPage />;
  else if (path === '/reset-password') page = <ResetPasswordPage token={new URLSearchParams(search).get('token') ?? ''} />;
  else if (path === '/login' || me === null) page = <LoginPage onSignedIn={refresh} />;
  else if (me === undefined) page = <p>Loading…</p>;
  else if (path === '/admin/outbox') page = <OutboxPage />;
  else if (path === '/runs' || path === '/runs/') page = <RunsPage version={version} />;
  else if (runId) page = <RunDetailPage key={runId} runId={runId} />;
  else if (path === '/handoffs' || path === '/handoffs/') page = <HandoffsPage me={me} version={version} />;
  else if (path === '/settings/api-keys' || path === '/settings/api-keys/') page = <ApiKeysPage me={me} version={version} />;
  else if (envProjectId) page = <EnvironmentsPage key={envProjectId} me={me} projectId={envProjectId} />;
  else page = <HomePage me={me} version={version} onChanged={refresh} />;

  return (
    <div className="app">
      <header className="topbar">
        <Link to="/">
          <span className="brand">Baton</span>
        </Link>
        {me && (
          <nav>
            <Link to="/runs">Runs</Link>
            <Link to="/handoffs">Handoffs</Link>
            <Link to="/settings/api-keys">API keys</Link>
            <OrgSwitcher
              me={me}
              onSwitch={() => {
                // A run belongs to one org: after a switch, its page would only say "not found".
                if (runId) navigate('/runs');
                // So does a project: back to the new org's project list.
                if (envProjectId) navigate('/');
                setVersion((v) => v + 1);
              }}
            />
            {me.user.isInstanceAdmin && <Link to="/admin/outbox">Outbox</Link>}
            <a href="/docs">API docs</a>
            <span data-testid="user-name">{me.user.name}</span>
            <button type="button" onClick={logout}>
              Sign out
            </button>
          </nav>
        )}
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <main>{page}</main>
    </div>
  );
}
