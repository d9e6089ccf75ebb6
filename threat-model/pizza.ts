import type { ThreatModel } from '../src/threatmodel/model.ts';

/**
 * The chapter's worked example (book §1.4.3, fig. 1.5): a pizza-ordering API used by a web
 * app and a mobile app, each in its own trust boundary; the API server and the DBMS run in
 * one datacenter under different OS accounts, and the DBMS is separate from its data files.
 */
export const pizzaModel: ThreatModel = {
  name: 'pizza',
  title: 'Pizza ordering (book chapter 1 example)',
  boundaries: [
    { id: 'web-browser', name: 'Web browser' },
    { id: 'mobile-device', name: 'Mobile device' },
    { id: 'datacenter', name: 'Datacenter' },
    { id: 'os-api', name: 'OS account api', parent: 'datacenter' },
    { id: 'os-dbms', name: 'OS account dbms', parent: 'datacenter' },
  ],
  elements: [
    { id: 'customer', kind: 'external', name: 'Customer' },
    { id: 'web-app', kind: 'process', name: 'Web app', boundary: 'web-browser' },
    { id: 'mobile-app', kind: 'process', name: 'Mobile app', boundary: 'mobile-device' },
    { id: 'pizza-api', kind: 'process', name: 'Pizza ordering API', boundary: 'os-api' },
    { id: 'dbms', kind: 'process', name: 'DBMS', boundary: 'os-dbms' },
    { id: 'data-files', kind: 'store', name: 'Database files', boundary: 'os-dbms' },
  ],
  flows: [
    { id: 'customer-web', name: 'Orders on the web', from: 'customer', to: 'web-app', protocol: 'UI', encrypted: true, authenticated: false, data: ['order', 'card'] },
    { id: 'customer-mobile', name: 'Orders on the phone', from: 'customer', to: 'mobile-app', protocol: 'UI', encrypted: true, authenticated: false, data: ['order', 'card'] },
    { id: 'web-api', name: 'Web API calls', from: 'web-app', to: 'pizza-api', protocol: 'HTTPS', encrypted: true, authenticated: true, data: ['order', 'card', 'credentials'] },
    { id: 'mobile-api', name: 'Mobile API calls', from: 'mobile-app', to: 'pizza-api', protocol: 'HTTPS', encrypted: true, authenticated: true, data: ['order', 'card', 'credentials'] },
    { id: 'api-dbms', name: 'SQL', from: 'pizza-api', to: 'dbms', protocol: 'SQL over TCP', encrypted: false, authenticated: true, data: ['order', 'card'] },
    { id: 'dbms-files', name: 'Table pages', from: 'dbms', to: 'data-files', protocol: 'file I/O', encrypted: false, authenticated: false, data: ['order', 'card'] },
  ],
  assets: [
    { id: 'order', name: 'Orders and addresses', goals: ['confidentiality', 'integrity', 'availability', 'accountability'] },
    { id: 'card', name: 'Payment card details', goals: ['confidentiality', 'integrity'] },
    { id: 'credentials', name: 'Customer credentials', goals: ['confidentiality', 'integrity'] },
  ],
};

/** The example's register is empty on purpose: every threat is open, as at the start of an analysis. */
export const pizzaRegister = [] as const;
