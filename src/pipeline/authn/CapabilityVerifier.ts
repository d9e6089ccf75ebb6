import type { Verification } from './CredentialVerifier.ts';

/** What a capability check may depend on besides the token: caveats restrict time and method. */
export interface CapabilityRequestContext {
  readonly nowMs: number;
  readonly method: string;
}

/**
 * The port through which the authentication stage checks `Authorization: Capability <token>`.
 * Implemented by the capabilities module; without one, capability tokens are refused (401).
 */
export interface CapabilityVerifier {
  verifyCapability(token: string, context: CapabilityRequestContext): Promise<Verification>;
}
