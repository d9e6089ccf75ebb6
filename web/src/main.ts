// The browser UI's entry point: decides what to show (a share link, the sign-in page, or the
// app) and draws the navigation. Screens live in screens/, one per area.
import { api, ApiError, setCsrfToken } from './api.ts';
import { h, replace } from './dom.ts';
import { renderAccount } from './screens/account.ts';
import { renderAdmin } from './screens/admin.ts';
import { renderSignIn } from './screens/auth.ts';
import { renderContacts } from './screens/contacts.ts';
import { renderShared } from './screens/shared.ts';
import { renderSpaces } from './screens/spaces.ts';
import { onSessionEnded, run, showError, type Me, type ScreenName, type Shell } from './ui.ts';

const main = document.getElementById('main')!;
const nav = document.getElementById('nav')!;

const SCREENS: Record<ScreenName, { label: string; render: (shell: Shell) => Promise<void> }> = {
  spaces: { label: 'Spaces', render: (s) => renderSpaces(main, s) },
  contacts: { label: 'Contacts', render: (s) => renderContacts(main, s) },
  account: { label: 'Account', render: (s) => renderAccount(main, s) },
  admin: { label: 'Administration', render: () => renderAdmin(main) },
};

function signedOut(): void {
  setCsrfToken(undefined);
  onSessionEnded(undefined);
  replace(nav);
  renderSignIn(main, signedIn);
}

async function signedIn(): Promise<void> {
  const me = await api<Me>('GET', '/v1/users/me');
  onSessionEnded(signedOut);
  const shell: Shell = {
    me,
    signedOut,
    show: (screen) => {
      for (const b of nav.querySelectorAll('button[data-screen]')) b.classList.toggle('active', b.getAttribute('data-screen') === screen);
      void run(() => SCREENS[screen].render(shell));
    },
  };
  const names = (Object.keys(SCREENS) as ScreenName[]).filter((n) => n !== 'admin' || me.roles.includes('admin'));
  replace(nav,
    ...names.map((n) => h('button', { type: 'button', 'data-screen': n, onclick: () => shell.show(n) }, SCREENS[n].label)),
    h('button', { type: 'button', id: 'sign-out', onclick: () => void run(async () => {
      await api('DELETE', '/v1/sessions/current');
      signedOut();
    }) }, `Sign out ${me.username}`));
  shell.show('spaces');
}

/** A reloaded page still has its session cookie: recover the CSRF token, or ask to sign in. */
async function resume(): Promise<void> {
  try {
    const { csrfToken } = await api<{ csrfToken: string }>('GET', '/v1/sessions/current/csrf');
    setCsrfToken(csrfToken);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return signedOut();
    throw err;
  }
  await signedIn();
}

async function start(): Promise<void> {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.has('cap')) return renderShared(main, fragment);
  return resume();
}

start().catch((err) => {
  replace(main);
  showError(err instanceof ApiError ? err.message : 'The page could not start. Please reload.');
});
