import type { Keyring } from '../../crypto/keyring.ts';
import type { ChainKey, KeyLookup } from './chain.ts';

/** The audit chain's view of the keyring: the current key for new records, any key by id for old ones. */
export interface AuditKeys {
  current(): ChainKey;
  readonly keyFor: KeyLookup;
}

/** Only 'audit-mac' keys are accepted: a record naming another purpose's key is not authentic. */
export function auditKeys(keyring: Keyring): AuditKeys {
  return {
    current: () => {
      const entry = keyring.current('audit-mac');
      return { id: entry.id, key: entry.key };
    },
    keyFor: (id) => {
      const entry = keyring.byId(id);
      return entry?.purpose === 'audit-mac' ? entry.key : undefined;
    },
  };
}
