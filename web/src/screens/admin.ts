import { api } from '../api.ts';
import { field, form, h, replace, when } from '../dom.ts';
import { button, panel, run } from '../ui.ts';

interface AdminUser { username: string; roles: string[]; disabled: boolean; createdAt: string }
interface AuditItem {
  id: string; time: string; actor: string; authMethod: string; client: { address: string };
  action: { method: string; route: string }; resource: string; outcome: string; reason: string; status: number | null;
}

/** Administrators: users (disable, enable, reset MFA), the audit log with filters, and its chain check. */
export async function renderAdmin(main: HTMLElement): Promise<void> {
  const users = h('ul', { class: 'list', id: 'admin-users' });
  // What the last action on a user did, in plain words.
  const usersStatus = h('p', { id: 'admin-users-status', class: 'muted', role: 'status' });
  const audit = h('div', { id: 'audit' });
  const activity = h('div', { id: 'activity' });
  const verify = h('span', { id: 'audit-verify' }, 'not checked yet. ');

  const loadUsers = async () => {
    const { items } = await api<{ items: AdminUser[] }>('GET', '/v1/admin/users?limit=200');
    replace(users, ...items.map((u) => h('li', {},
      h('span', { class: 'grow' }, u.username), h('span', { class: 'muted' }, `${u.roles.join(', ')}${u.disabled ? ' · disabled' : ''}`),
      button('Reset MFA', async () => {
        if (!confirm(`Remove every second factor of ${u.username} and sign them out everywhere?`)) return;
        await api('DELETE', `/v1/admin/users/${encodeURIComponent(u.username)}/mfa`);
        replace(usersStatus, `Every second factor of ${u.username} was removed and ${u.username} was signed out everywhere: the next sign-in is with the password alone.`);
        await loadUsers();
      }, 'secondary'),
      button(u.disabled ? 'Enable' : 'Disable', async () => {
        await api('PATCH', `/v1/admin/users/${encodeURIComponent(u.username)}`, { disabled: !u.disabled });
        replace(usersStatus, u.disabled ? `${u.username} was enabled.` : `${u.username} was disabled: their sessions, API tokens and share links ended.`);
        await loadUsers();
      }, u.disabled ? 'secondary' : 'danger'))));
  };

  const search = async (filters: Record<string, string>) => {
    const query = new URLSearchParams({ limit: '200' });
    for (const [k, v] of Object.entries(filters)) {
      if (!v) continue;
      query.set(k, k === 'from' || k === 'to' ? new Date(v).toISOString() : v);
    }
    const { items } = await api<{ items: AuditItem[] }>('GET', `/v1/audit?${query}`);
    replace(audit, h('table', {},
      h('thead', {}, h('tr', {}, ...['Time', 'Actor', 'Action', 'Resource', 'Outcome', 'Status'].map((t) => h('th', {}, t)))),
      h('tbody', {}, ...items.map((i) => h('tr', {},
        h('td', {}, when(i.time)),
        h('td', {}, h('button', { type: 'button', class: 'secondary', onclick: () => void run(() => showActivity(i.actor)) }, i.actor)),
        h('td', {}, `${i.action.method} ${i.action.route}`),
        h('td', {}, i.resource),
        h('td', {}, i.reason ? `${i.outcome} (${i.reason})` : i.outcome),
        h('td', {}, String(i.status ?? ''))))),
    ), items.length === 0 ? h('p', { class: 'muted' }, 'No matching records.') : h('p', { class: 'muted' }, `${items.length} records (newest first).`));
  };

  // "What else did this caller do around the same time" (MISSION.md §2): requests per hour.
  const showActivity = async (actor: string) => {
    const { items } = await api<{ items: AuditItem[] }>('GET', `/v1/audit?actor=${encodeURIComponent(actor)}&order=asc&limit=1000`);
    const perHour = new Map<string, { total: number; denied: number }>();
    for (const i of items) {
      if (i.outcome === 'pending') continue; // the attempt record of a request; its outcome record counts it
      const hour = new Date(i.time);
      hour.setMinutes(0, 0, 0);
      const key = hour.toLocaleString();
      const slot = perHour.get(key) ?? { total: 0, denied: 0 };
      slot.total++;
      if (i.outcome !== 'allowed') slot.denied++;
      perHour.set(key, slot);
    }
    replace(activity, h('h3', {}, `Activity of ${actor}`), h('table', { id: 'activity-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Hour'), h('th', {}, 'Requests'), h('th', {}, 'Denied or failed'))),
      h('tbody', {}, ...[...perHour].map(([hour, s]) => h('tr', {}, h('td', {}, hour), h('td', {}, String(s.total)), h('td', {}, String(s.denied)))))));
  };

  await loadUsers();
  await search({});
  replace(main,
    panel('Users', usersStatus, users),
    panel('Audit log',
      h('p', {}, 'Chain: ', verify, button('Verify the chain', async () => {
        const r = await api<{ ok: boolean; checked: number; firstBadId?: string }>('GET', '/v1/audit/verify');
        replace(verify, r.ok
          ? h('span', { class: 'ok' }, `intact, ${r.checked} records checked. `)
          : h('span', { class: 'bad' }, `tampered with: the chain breaks at record ${r.firstBadId ?? '?'} (${r.checked} checked). `));
      }, 'secondary')),
      form({ id: 'audit-filter' }, (v) => run(() => search(v)),
        field('actor', 'Actor', { required: false }), field('action', 'Action (e.g. DELETE)', { required: false }),
        field('resource', 'Resource path', { required: false }),
        h('select', { name: 'outcome', 'aria-label': 'Outcome' }, ...['', 'allowed', 'denied', 'error'].map((o) => h('option', { value: o }, o || 'any outcome'))),
        field('from', 'From', { type: 'datetime-local', required: false }), field('to', 'To', { type: 'datetime-local', required: false }),
        h('button', { type: 'submit' }, 'Search')),
      activity, audit));
}
