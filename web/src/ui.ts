import { ApiError } from './api.ts';
import { h } from './dom.ts';

const errorBox = () => document.getElementById('error')!;

/** Shows an error in plain words at the top of the page. */
export function showError(message: string): void {
  const box = errorBox();
  box.textContent = message;
  box.hidden = false;
}

export function clearError(): void {
  errorBox().hidden = true;
  errorBox().textContent = '';
}

let sessionEnded: (() => void) | undefined;

/** What to do when the session dies under a signed-in page (expired, or signed out elsewhere). */
export function onSessionEnded(handler: (() => void) | undefined): void {
  sessionEnded = handler;
}

/** Runs a user action: clears the last error first, and shows this one's failure, if any. */
export async function run(action: () => Promise<void>): Promise<boolean> {
  clearError();
  try {
    await action();
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && err.code === 'unauthenticated') sessionEnded?.();
    if (err instanceof ApiError) showError(err.message);
    else if (err instanceof DOMException && err.name === 'NotAllowedError') showError('The passkey request was cancelled or timed out.');
    else showError('Something went wrong. Please try again.');
    return false;
  }
}

/** A titled panel. */
export function panel(title: string, ...children: (Node | string | null | false)[]): HTMLElement {
  return h('section', {}, h('h2', {}, title), ...children);
}

/** A button that runs an action (with error display). */
export function button(label: string, action: () => Promise<void>, cls?: string): HTMLButtonElement {
  return h('button', { type: 'button', class: cls, onclick: () => void run(action) }, label);
}

/** What every screen can do: the signed-in user and navigation. */
export interface Shell {
  readonly me: Me;
  show(screen: ScreenName): void;
  signedOut(): void;
}

export type ScreenName = 'spaces' | 'contacts' | 'account' | 'admin';

export interface Me {
  id: string;
  username: string;
  roles: string[];
  mfa: { totp: boolean; webauthn: number; recoveryCodesLeft?: number };
}
