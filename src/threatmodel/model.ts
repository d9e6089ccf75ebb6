/**
 * The threat-model language (MISSION.md §5, book §1.4.3): a dataflow diagram of external
 * entities, processes, data stores and the data flows between them, inside nested trust
 * boundaries, plus the assets those flows carry and what must hold for each (CIA + accountability).
 * A model is plain data, so that rules, the checker and the renderers are pure functions of it.
 */

/** The security goals an asset needs (book §1.4.2). */
export type SecurityGoal = 'confidentiality' | 'integrity' | 'availability' | 'accountability';

/** Something the system must protect: a secret, a record, a service. */
export interface Asset {
  readonly id: string;
  readonly name: string;
  readonly goals: readonly SecurityGoal[];
}

/** A trust boundary; `parent` nests it (a datacenter containing OS accounts). */
export interface TrustBoundary {
  readonly id: string;
  readonly name: string;
  readonly parent?: string;
}

interface ElementBase {
  readonly id: string;
  readonly name: string;
  /** The innermost boundary the element sits in; none: outside every boundary (the internet). */
  readonly boundary?: string;
  readonly description?: string;
  /** Present only in some deployments (e.g. a TLS-terminating proxy). */
  readonly optional?: boolean;
}

/** A person or system outside our control that talks to ours. */
export interface ExternalEntity extends ElementBase {
  readonly kind: 'external';
  /**
   * A web browser running a page the system serves: the page's code acts with the user's
   * session, so the browser rules (browserRules.ts) add script injection, markup injection,
   * framing and cross-site request forgery on its flows.
   */
  readonly browser?: boolean;
}

/** Running code we operate. */
export interface Process extends ElementBase {
  readonly kind: 'process';
}

/** Data at rest: files, tables, caches. */
export interface DataStore extends ElementBase {
  readonly kind: 'store';
  /** A store of logs: adds repudiation (a rogue administrator erasing the trail, §1.5.4). */
  readonly holdsLogs?: boolean;
}

export type Element = ExternalEntity | Process | DataStore;
export type ElementKind = Element['kind'];

/** Data moving from one element to another. */
export interface DataFlow {
  readonly id: string;
  readonly name: string;
  readonly from: string;
  readonly to: string;
  /** e.g. 'HTTPS', 'SQL over a UNIX socket', 'file I/O'. */
  readonly protocol: string;
  /** Confidential and integrity-protected in transit (TLS, or never leaves the process). */
  readonly encrypted: boolean;
  /** The receiver knows who sent it. */
  readonly authenticated: boolean;
  /** Asset ids carried. */
  readonly data: readonly string[];
  /**
   * HTTP route groups this flow carries, checked against the live route table:
   * `[METHOD ]/path` exactly, or `[METHOD ]/path/*` for the path and everything beneath it.
   */
  readonly routes?: readonly string[];
}

export interface ThreatModel {
  /** Short name used for file names: docs/threat-model/<name>.svg. */
  readonly name: string;
  readonly title: string;
  readonly boundaries: readonly TrustBoundary[];
  readonly elements: readonly Element[];
  readonly flows: readonly DataFlow[];
  readonly assets: readonly Asset[];
}
