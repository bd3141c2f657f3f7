import { useEffect, useMemo, useRef, useState } from 'react';
import type { CurrentUser } from '../api/current-user.ts';
import { SelectedPatientProvider } from '../clinician/selected-patient.tsx';
import { PlaceholderPage } from '../pages/placeholder-page.tsx';
import { PortalPatientProvider } from '../patient/portal-patient.tsx';
import { BrandMark } from '../ui/brand-mark.tsx';
import { AppLink } from './app-link.tsx';
import { navigate, useCurrentPath } from './location.ts';
import { navigationForRoles, roleLabel } from './navigation-by-role.ts';
import { pageRoutes } from './page-routes.tsx';

interface AppShellProps {
  user: CurrentUser;
  onSignOut: () => void;
}

/** The signed-in layout: who is signed in, where they can go, and the current page. */
export function AppShell({ user, onSignOut }: AppShellProps) {
  const path = useCurrentPath();
  const entries = useMemo(() => navigationForRoles(user.roles), [user.roles]);
  const current = entries.find((entry) => entry.path === path);
  const menu = entries.filter((entry) => !entry.hiddenFromMenu);
  const home = menu[0];
  const CurrentPage = current ? pageRoutes[current.path] : undefined;
  const heading = useRef<HTMLHeadingElement>(null);

  // Right after sign-in, an address left by a previous user or session is replaced by this user's home.
  const [arrivalPath] = useState(path);
  useEffect(() => {
    if (!home) return;
    if (path === '/' || (path === arrivalPath && !current)) navigate(home.path, { replace: true });
  }, [path, arrivalPath, current, home]);

  useEffect(() => {
    document.title = `${current?.label ?? (home ? 'Page not found' : 'Welcome')} — Carebase`;
    // Moves screen-reader and keyboard users to the new page, as a full page load would.
    (heading.current ?? document.getElementById('page-title'))?.focus();
  }, [current, home]);

  const roles = user.roles.map(roleLabel).join(', ') || 'No role';

  return (
    <PortalPatientProvider user={user}>
      <SelectedPatientProvider>
        <div className={menu.length > 0 ? 'shell' : 'shell shell-without-nav'}>
          <a className="skip-link" href="#main">
            Skip to main content
          </a>
          <header className="shell-header">
            <BrandMark compact />
            <div className="shell-user">
              <p className="shell-user-name">{user.name}</p>
              <p className="shell-user-meta">
                <span>{roles}</span>
                <span aria-hidden="true"> · </span>
                <span>{user.institution.name}</span>
              </p>
            </div>
            <button type="button" className="button button-secondary" onClick={onSignOut}>
              Sign out
            </button>
          </header>

          {menu.length > 0 && (
            <nav className="shell-nav" aria-label="Main">
              <ul>
                {menu.map((entry) => (
                  <li key={entry.path}>
                    <AppLink to={entry.path} current={entry === current}>
                      {entry.label}
                    </AppLink>
                  </li>
                ))}
              </ul>
            </nav>
          )}

          <main id="main" className="shell-main" tabIndex={-1}>
            {current && CurrentPage ? (
              <CurrentPage key={current.path} />
            ) : current ? (
              <PlaceholderPage ref={heading} entry={current} />
            ) : !home ? (
              <section className="page">
                <h1 ref={heading} tabIndex={-1}>
                  Welcome, {user.name}
                </h1>
                <div className="empty-state">
                  <p>Your account has no role that opens a page here yet.</p>
                  <p>If you think this is a mistake, contact your institution's administrator.</p>
                </div>
              </section>
            ) : path === '/' ? (
              <p role="status">Opening {home.label}…</p>
            ) : (
              <section className="page">
                <h1 ref={heading} tabIndex={-1}>
                  Page not found
                </h1>
                <p>This page does not exist or is not available to your account.</p>
                <p>
                  <AppLink to={home.path}>Go to {home.label}</AppLink>
                </p>
              </section>
            )}
          </main>
        </div>
      </SelectedPatientProvider>
    </PortalPatientProvider>
  );
}
