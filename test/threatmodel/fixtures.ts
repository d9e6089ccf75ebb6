import type { ThreatModel } from '../../src/threatmodel/model.ts';

/**
 * A small model for the rule and checker tests: a user outside, a web server inside A.B
 * (datacenter A, OS account B), a database inside A.C, and a log store next to the server.
 */
export const smallModel: ThreatModel = {
  name: 'small',
  title: 'Small fixture',
  boundaries: [
    { id: 'A', name: 'Datacenter' },
    { id: 'B', name: 'Account web', parent: 'A' },
    { id: 'C', name: 'Account db', parent: 'A' },
  ],
  elements: [
    { id: 'user', kind: 'external', name: 'User' },
    { id: 'web', kind: 'process', name: 'Web server', boundary: 'B' },
    { id: 'db', kind: 'store', name: 'Database', boundary: 'C' },
    { id: 'logs', kind: 'store', name: 'Logs', boundary: 'B', holdsLogs: true },
  ],
  flows: [
    { id: 'user-web', name: 'Requests', from: 'user', to: 'web', protocol: 'HTTPS', encrypted: true, authenticated: true, data: ['msgs'], routes: ['/v1/things/*'] },
    { id: 'user-web-public', name: 'Login', from: 'user', to: 'web', protocol: 'HTTPS', encrypted: true, authenticated: false, data: [], routes: ['POST /v1/login'] },
    { id: 'web-db', name: 'SQL', from: 'web', to: 'db', protocol: 'SQL', encrypted: false, authenticated: true, data: ['msgs'] },
    { id: 'web-logs', name: 'Log lines', from: 'web', to: 'logs', protocol: 'file', encrypted: false, authenticated: false, data: [] },
  ],
  assets: [{ id: 'msgs', name: 'Messages', goals: ['confidentiality', 'integrity'] }],
};
