import type { Generated } from 'kysely';

/** Table types for Kysely. Times are integer milliseconds since the epoch, UTC. */
export interface DatabaseSchema {
  users: UsersTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  spaces: SpacesTable;
  space_members: SpaceMembersTable;
  messages: MessagesTable;
  audit_log: AuditLogTable;
  contact_requests: ContactRequestsTable;
  direct_messages: DirectMessagesTable;
  capabilities: CapabilitiesTable;
  totp_credentials: TotpCredentialsTable;
  recovery_codes: RecoveryCodesTable;
  webauthn_credentials: WebauthnCredentialsTable;
  webauthn_challenges: WebauthnChallengesTable;
  audit_anchors: AuditAnchorsTable;
  audit_outbox: AuditOutboxTable;
}

export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  is_admin: number;
  disabled: number;
  created_at: number;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  secret_hash: string;
  /** Space-separated scope names. */
  scopes: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  secret_hash: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface SpacesTable {
  id: string;
  name: string;
  created_at: number;
}

export interface SpaceMembersTable {
  space_id: string;
  user_id: string;
  role: string;
  added_at: number;
}

export interface MessagesTable {
  seq: Generated<number>;
  id: string;
  space_id: string;
  author_id: string;
  text: string;
  created_at: number;
}

export interface AuditLogTable {
  seq: Generated<number>;
  time: number;
  request_id: string;
  phase: string;
  actor: string;
  actor_type: string;
  auth_method: string;
  client_address: string;
  user_agent: string;
  method: string;
  route: string;
  resource: string;
  outcome: string;
  reason: string;
  status: number | null;
  /** The 'audit-mac' key that MACed the record (002_audit_chain); null only before the chain existed. */
  key_id: string | null;
  mac: string | null;
}

/** Signed checkpoints left where `audit prune` cut the log; the chain continues from the newest. */
export interface AuditAnchorsTable {
  seq: number;
  mac: string;
  time: string;
  key_id: string;
  sig: string;
}

/** "from asked to connect with to"; both directions present = connected. */
export interface ContactRequestsTable {
  from_id: string;
  to_id: string;
  created_at: number;
}

export interface DirectMessagesTable {
  seq: Generated<number>;
  id: string;
  /** The two participants' ids, sorted, joined by a space. */
  conversation: string;
  sender_id: string;
  recipient_id: string;
  /** encryptValue(at-rest, text, `direct_messages.text:<id>`). */
  text: string;
  created_at: number;
}

export interface CapabilitiesTable {
  id: string;
  space_id: string;
  issuer_id: string;
  /** The capability-root key the macaroon was minted under. */
  key_id: string;
  /** Comma-separated permissions granted at minting. */
  permissions: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface TotpCredentialsTable {
  id: string;
  user_id: string;
  /** encryptValue(keyring, 'totp', base32 secret, `totp_credentials:<id>:<user_id>`). */
  secret_encrypted: string;
  created_at: number;
  /** null while the enrolment waits for its first code. */
  confirmed_at: number | null;
}

export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  /** SHA-256 of the normalised 80-bit code. */
  code_hash: string;
  created_at: number;
  used_at: number | null;
}

export interface WebauthnCredentialsTable {
  /** The authenticator's credential id, base64url. */
  id: string;
  user_id: string;
  name: string;
  /** COSE public key, base64url. */
  public_key: string;
  /** Signature counter last seen (clone detection). */
  counter: number;
  /** Space-separated transports the authenticator reported. */
  transports: string;
  backed_up: number;
  created_at: number;
  last_used_at: number | null;
}

export interface WebauthnChallengesTable {
  id: string;
  /** 'register' or 'authenticate'. */
  purpose: string;
  /** The registering user; null for a login (the user is not known yet). */
  user_id: string | null;
  challenge: string;
  expires_at: number;
}

/** Outcome records committed with their state change, waiting to be chained (JSON of an AuditRecord). */
export interface AuditOutboxTable {
  id: Generated<number>;
  record: string;
}
