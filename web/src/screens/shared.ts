import { api, ApiError, useCapability } from '../api.ts';
import { replace, h } from '../dom.ts';
import { panel } from '../ui.ts';
import { messageList } from './messages.ts';

/**
 * A share link (#cap=…&space=…, as the API returns it): reads the space's messages with the capability alone, no
 * login (the capability grants the messages only, so the space's name is not shown). The token
 * stays in memory (and in the fragment it came in); it is never written to storage.
 */
export async function renderShared(main: HTMLElement, fragment: URLSearchParams): Promise<void> {
  const base = `/v1/spaces/${encodeURIComponent(fragment.get('space') ?? '')}/messages`;
  useCapability(fragment.get('cap') ?? '');
  const load = (cursor?: string) =>
    api(`GET`, `${base}?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`).catch((err: unknown) => {
      if (err instanceof ApiError && (err.status === 401 || err.status === 404)) {
        throw new ApiError('This share link has expired or has been revoked. Ask for a new one.', err.status, err.code);
      }
      throw err;
    });
  const list = await messageList({ id: 'shared-messages', load });
  replace(main,
    panel('Shared space', h('p', { class: 'muted' }, 'You are reading this through a share link, without an account.')),
    panel('Messages', list));
}
