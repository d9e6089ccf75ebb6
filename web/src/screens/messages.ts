import { field, form, h, replace, when } from '../dom.ts';
import { button, run } from '../ui.ts';

export interface MessageItem { id: string; author: string; text: string; createdAt: string }
type Page = { items: MessageItem[]; nextCursor: string | null };

/**
 * A paged message list (newest first, "Older messages" loads the next page) with an optional
 * post form and delete buttons. The text goes in through textContent: markup in a message
 * stays text.
 */
export async function messageList(opts: {
  id: string;
  load: (cursor?: string) => Promise<Page>;
  remove?: (m: MessageItem) => (() => Promise<unknown>) | undefined;
  post?: ((text: string) => Promise<unknown>) | undefined;
}): Promise<HTMLElement> {
  const list = h('ul', { class: 'list', id: opts.id });
  const more = h('div');
  const box = h('div', {});

  const row = (m: MessageItem) => {
    const remove = opts.remove?.(m);
    const li = h('li', { class: 'message' },
      h('span', { class: 'grow' }, h('strong', {}, m.author), ' ', h('span', { class: 'text' }, m.text)),
      h('span', { class: 'muted' }, when(m.createdAt)),
      remove && button('Delete', async () => {
        await remove();
        li.remove();
      }, 'danger'));
    return li;
  };
  const showPage = (page: Page) => {
    for (const m of page.items) list.append(row(m));
    replace(more, page.nextCursor && button('Older messages', async () => {
      showPage(await opts.load(page.nextCursor!));
    }, 'secondary'));
  };
  const reload = async () => {
    list.replaceChildren();
    showPage(await opts.load());
  };
  await reload();

  const post = opts.post;
  replace(box,
    post && form({ id: `${opts.id}-post` }, (v, el) => run(async () => {
      await post(v.text!);
      el.reset();
      await reload();
    }), field('text', 'Write a message', { maxlength: '4000', size: '50' }), h('button', { type: 'submit' }, 'Send')),
    list, more);
  if (list.childElementCount === 0) list.append(h('li', { class: 'muted' }, 'No messages yet.'));
  return box;
}
