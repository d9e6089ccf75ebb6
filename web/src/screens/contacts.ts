import { api } from '../api.ts';
import { field, form, h, replace } from '../dom.ts';
import { button, panel, run, type Shell } from '../ui.ts';
import { messageList } from './messages.ts';

interface Contact { username: string; state: 'pending' | 'connected'; direction: 'outgoing' | 'incoming' | 'both' }

/** Contacts (ask, accept, remove) and the direct conversation with one of them. */
export async function renderContacts(main: HTMLElement, shell: Shell, open?: string): Promise<void> {
  const { items } = await api<{ items: Contact[] }>('GET', '/v1/contacts');
  const reopen = (who?: string) => renderContacts(main, shell, who);
  const path = (u: string) => `/v1/contacts/${encodeURIComponent(u)}`;
  const describe = (c: Contact) =>
    c.state === 'connected' ? 'connected' : c.direction === 'incoming' ? 'wants to connect' : 'request sent';

  const list = h('ul', { class: 'list', id: 'contacts' }, ...items.map((c) => h('li', {},
    h('span', { class: 'grow' }, c.username), h('span', { class: 'muted' }, describe(c)),
    c.state === 'connected' && button('Messages', () => reopen(c.username), 'secondary'),
    c.state === 'pending' && c.direction === 'incoming' && button('Accept', async () => {
      await api('PUT', path(c.username));
      await reopen();
    }),
    button('Remove', async () => {
      await api('DELETE', path(c.username));
      await reopen();
    }, 'danger'))));

  const conversation = h('div', { id: 'conversation' });
  replace(main, h('div', { class: 'columns' },
    panel('Contacts', list,
      h('h3', {}, 'Connect with someone'),
      form({ id: 'contact-add' }, (v) => run(async () => {
        await api('PUT', path(v.username!.trim()));
        await reopen();
      }), field('username', 'Username'), h('button', { type: 'submit' }, 'Ask'))),
    conversation));

  if (!open) {
    replace(conversation, panel('Direct messages', h('p', {}, 'Choose a connected contact to read and send direct messages.')));
    return;
  }
  const base = `/v1/direct/${encodeURIComponent(open)}/messages`;
  replace(conversation, panel(`Conversation with ${open}`, await messageList({
    id: 'direct-messages',
    load: (cursor) => api('GET', `${base}?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
    post: (text) => api('POST', base, { text }),
  })));
}
