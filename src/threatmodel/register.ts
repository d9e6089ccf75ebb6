/**
 * The threat register: what was decided about each generated threat. A threat with no entry
 * is open. `mitigated` needs evidence: the controls the code declares (control.ts) and the
 * tests that show them working, by their full title (testReport.ts). `not-applicable` is only
 * for threats off boundary-crossing flows: the gate fails a crossing threat marked so.
 */
export type ThreatStatus = 'mitigated' | 'accepted' | 'not-applicable' | 'open';

export interface RegisterEntry {
  /** A threat id (TM-…) as generateThreats computes it. */
  readonly threat: string;
  readonly status: ThreatStatus;
  /** Why: how the controls stop it, or why the risk is accepted or does not apply. */
  readonly justification: string;
  /** Control ids declared in src/**\/controls.ts. */
  readonly controls?: readonly string[];
  /** Test names: "<file> > <describe…> > <it>", as in test-results/tests.jsonl. */
  readonly tests?: readonly string[];
}

export type ThreatRegister = readonly RegisterEntry[];
