// Types for the parts of js-macaroon (npm `macaroon` 3.x, no bundled types) that Gatehouse uses.
declare module 'macaroon' {
  export interface MacaroonCaveat {
    readonly identifier: Uint8Array;
    readonly location?: string;
    readonly vid?: Uint8Array;
  }
  export interface Macaroon {
    readonly identifier: Uint8Array;
    readonly location: string;
    readonly signature: Uint8Array;
    readonly caveats: MacaroonCaveat[];
    addFirstPartyCaveat(condition: Uint8Array | string): void;
    clone(): Macaroon;
    /** Throws if the signature or a caveat fails; `check` returns an error string or null. */
    verify(rootKey: Uint8Array, check: (condition: string) => string | null, discharges?: Macaroon[]): void;
    exportBinary(): Uint8Array;
    exportJSON(): Record<string, unknown>;
  }
  export function newMacaroon(params: { identifier: Uint8Array | string; location?: string; rootKey: Uint8Array | string; version?: 1 | 2 }): Macaroon;
  export function importMacaroon(obj: string | Uint8Array | Record<string, unknown>): Macaroon;
  export function bytesToBase64(bytes: Uint8Array): string;
  export function base64ToBytes(s: string): Uint8Array;
  const macaroon: {
    newMacaroon: typeof newMacaroon;
    importMacaroon: typeof importMacaroon;
    bytesToBase64: typeof bytesToBase64;
    base64ToBytes: typeof base64ToBytes;
  };
  export default macaroon;
}
