// Small DOM helpers. Text always goes in through textContent (never innerHTML), so data from
// the server or other users is shown as text and cannot become markup (XSS).

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | ((event: Event) => void) | undefined>;

/** Creates an element: `on*` attributes become listeners, strings become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, value);
  }
  append(el, ...children);
  return el;
}

/** Appends children; strings as text nodes. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Replaces an element's content. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A form whose submit handler gets the named fields' values; submitting never reloads the page. */
export function form(attrs: Attrs, onSubmit: (values: Record<string, string>, el: HTMLFormElement) => unknown, ...children: Child[]): HTMLFormElement {
  const el = h('form', attrs, ...children);
  el.addEventListener('submit', (event) => {
    event.preventDefault();
    const values: Record<string, string> = {};
    for (const [k, v] of new FormData(el)) values[k] = String(v);
    void onSubmit(values, el);
  });
  return el;
}

/** A labelled text input. */
export function field(name: string, label: string, attrs: Attrs = {}): HTMLInputElement {
  return h('input', { name, 'aria-label': label, placeholder: label, required: true, autocomplete: 'off', ...attrs });
}

/** A local date-time for a timestamp. */
export function when(iso: string): string {
  return new Date(iso).toLocaleString();
}
