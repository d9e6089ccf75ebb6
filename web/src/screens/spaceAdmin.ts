import { api, apiAllPages } from '../api.ts';
import { field, form, h, replace, when } from '../dom.ts';
import { button, panel, run } from '../ui.ts';

const ROLES = ['reader', 'member', 'moderator', 'owner'] as const;

const roleSelect = (name: string, current?: string) =>
  h('select', { name, 'aria-label': 'Role' }, ...ROLES.filter((r) => r !== 'owner').map((r) => h('option', { value: r, selected: r === current }, r)));

/** Members and their roles; moderators and owners may change them (the server decides which). */
export async function renderMembers(spaceId: string, canManage: boolean, refresh: () => Promise<void>): Promise<HTMLElement> {
  const members = await apiAllPages<{ username: string; role: string }>(`/v1/spaces/${spaceId}/members?limit=500`);
  const base = `/v1/spaces/${spaceId}/members/`;
  return panel('Members',
    h('ul', { class: 'list', id: 'members' }, ...members.map((m) => {
      if (!canManage || m.role === 'owner') return h('li', {}, h('span', { class: 'grow' }, m.username), h('span', { class: 'muted' }, m.role));
      const select = roleSelect('role', m.role);
      select.addEventListener('change', () => void run(async () => {
        await api('PUT', base + encodeURIComponent(m.username), { role: select.value });
        await refresh();
      }));
      return h('li', {}, h('span', { class: 'grow' }, m.username), select,
        button('Remove', async () => {
          await api('DELETE', base + encodeURIComponent(m.username));
          await refresh();
        }, 'danger'));
    })),
    canManage && form({ id: 'member-add' }, (v) => run(async () => {
      await api('PUT', base + encodeURIComponent(v.username!.trim()), { role: v.role });
      await refresh();
    }), field('username', 'Username'), roleSelect('role', 'member'), h('button', { type: 'submit' }, 'Add')),
  );
}

interface CapabilityItem { id: string; permissions: string[]; createdAt: string; expiresAt: string; revoked: boolean }

/**
 * Read-only share links: a capability for this space. The link is the UI's address with the
 * token in the fragment (#cap=…), which browsers never send to a server, so it stays out of
 * server and proxy logs.
 */
export async function renderShare(spaceId: string): Promise<HTMLElement> {
  const link = h('div', { id: 'share-link' });
  const list = h('ul', { class: 'list', id: 'capabilities' });
  const refresh = async () => {
    const { items } = await api<{ items: CapabilityItem[] }>('GET', `/v1/spaces/${spaceId}/capabilities`);
    replace(list, ...items.map((c) => h('li', {},
      h('span', { class: 'grow' }, `${c.permissions.join(' + ')} link, created ${when(c.createdAt)}`),
      h('span', { class: 'muted' }, c.revoked ? 'revoked' : `expires ${when(c.expiresAt)}`),
      !c.revoked && button('Revoke', async () => {
        await api('DELETE', `/v1/spaces/${spaceId}/capabilities/${c.id}`);
        await refresh();
      }, 'danger'))));
  };
  await refresh();
  return panel('Share read-only',
    h('p', {}, 'Anyone with the link can read this space, without an account, until it expires or you revoke it.'),
    form({ id: 'share-create' }, (v) => run(async () => {
      const created = await api<{ token: string }>('POST', `/v1/spaces/${spaceId}/capabilities`, { permissions: ['read'], expiresInSeconds: Number(v.expires) });
      // The same link the API returns (`url`), on the origin this page was loaded from.
      const url = `${location.origin}/#cap=${encodeURIComponent(created.token)}&space=${encodeURIComponent(spaceId)}`;
      replace(link, h('p', {}, 'Copy this link now: it is shown once.'), h('input', { readonly: true, size: '60', 'aria-label': 'Share link', value: url, id: 'share-url' }));
      await refresh();
    }),
    h('select', { name: 'expires', 'aria-label': 'Expires in' },
      h('option', { value: '3600' }, '1 hour'), h('option', { value: '86400', selected: true }, '1 day'), h('option', { value: '604800' }, '1 week')),
    h('button', { type: 'submit' }, 'Create link')),
    link, list);
}
