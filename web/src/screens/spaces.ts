import { api } from '../api.ts';
import { field, form, h, replace } from '../dom.ts';
import { button, panel, run, type Shell } from '../ui.ts';
import { renderMembers, renderShare } from './spaceAdmin.ts';
import { messageList } from './messages.ts';

interface SpaceItem { id: string; name: string; owner: string; role: string }
const RANK: Record<string, number> = { reader: 0, member: 1, moderator: 2, owner: 3 };

/** The caller's spaces, and the one selected: its messages, members and share links. */
export async function renderSpaces(main: HTMLElement, shell: Shell, selectedId?: string): Promise<void> {
  const { items } = await api<{ items: SpaceItem[] }>('GET', '/v1/spaces');
  const selected = items.find((s) => s.id === selectedId) ?? items[0];
  const detail = h('div', { id: 'space-detail' });
  const reopen = (id?: string) => renderSpaces(main, shell, id);

  replace(main, h('div', { class: 'columns' },
    panel('Spaces',
      h('ul', { class: 'list', id: 'space-list' }, ...items.map((s) => h('li', {},
        h('button', { type: 'button', class: s.id === selected?.id ? '' : 'secondary', onclick: () => void run(() => reopen(s.id)) }, s.name),
        h('span', { class: 'muted' }, s.role)))),
      h('h3', {}, 'New space'),
      form({ id: 'space-create' }, (v) => run(async () => {
        const created = await api<{ id: string }>('POST', '/v1/spaces', { name: v.name });
        await reopen(created.id);
      }), field('name', 'Space name', { maxlength: '100' }), h('button', { type: 'submit' }, 'Create'))),
    detail));

  if (!selected) {
    replace(detail, panel('No space yet', h('p', {}, 'Create a space to start a conversation.')));
    return;
  }
  const rank = RANK[selected.role] ?? 0;
  const messages = messageList({
    id: 'messages',
    load: (cursor) => api('GET', `/v1/spaces/${selected.id}/messages?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
    remove: (m) => (m.author === shell.me.username || rank >= RANK.moderator! ? () => api('DELETE', `/v1/spaces/${selected.id}/messages/${m.id}`) : undefined),
    post: rank >= RANK.member! ? (text) => api('POST', `/v1/spaces/${selected.id}/messages`, { text }) : undefined,
  });
  replace(detail,
    panel(selected.name,
      h('p', { class: 'muted' }, `Owner: ${selected.owner} · your role: ${selected.role}`),
      rank >= RANK.owner! && button('Delete this space', async () => {
        if (!confirm(`Delete the space "${selected.name}" and all its messages?`)) return;
        await api('DELETE', `/v1/spaces/${selected.id}`);
        await reopen();
      }, 'danger')),
    panel('Messages', await messages),
    await renderMembers(selected.id, rank >= RANK.moderator!, () => reopen(selected.id)),
    rank >= RANK.moderator! && (await renderShare(selected.id)),
  );
}
