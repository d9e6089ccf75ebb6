import type { FastifyReply } from 'fastify';
import type { Keyring } from '../crypto/keyring.ts';
import { SESSION_COOKIE } from '../pipeline/authn/parseCredentials.ts';
import { DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE_SECONDS, issueDeviceCookie } from './login/deviceCookie.ts';
import type { SessionService } from './SessionService.ts';

/**
 * After a complete login (password and second factor, or a passkey): a fresh session (never
 * an id the client brought: no fixation), its cookie, and the trusted-device cookie that lets
 * this browser past an account lockout later. Returns the response body.
 */
export async function startBrowserSession(
  reply: FastifyReply,
  deps: { sessions: SessionService; keyring: Keyring },
  user: { userId: string; username: string },
  trustedDeviceId?: string,
): Promise<{ csrfToken: string; expiresAt: string }> {
  const session = await deps.sessions.create(user.userId);
  reply.setCookie(SESSION_COOKIE, session.cookieValue, { path: '/', secure: true, httpOnly: true, sameSite: 'strict' });
  reply.setCookie(DEVICE_COOKIE, issueDeviceCookie(deps.keyring, user.username, trustedDeviceId), {
    path: '/', secure: true, httpOnly: true, sameSite: 'strict', maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS,
  });
  return { csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() };
}
