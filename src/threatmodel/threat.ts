import { createHash } from 'node:crypto';

export type StrideCategory = 'S' | 'T' | 'R' | 'I' | 'D' | 'E';

export const STRIDE_NAMES: Readonly<Record<StrideCategory, string>> = {
  S: 'Spoofing',
  T: 'Tampering',
  R: 'Repudiation',
  I: 'Information disclosure',
  D: 'Denial of service',
  E: 'Elevation of privilege',
};

/** What a rule reports, before the engine gives it an id. */
export interface ThreatDraft {
  readonly category: StrideCategory;
  /** The element or flow the threat is about. */
  readonly subject: string;
  /** Other elements it involves (e.g. the source of a spoofed flow); part of the id. */
  readonly related?: readonly string[];
  readonly title: string;
  readonly description: string;
}

/** A generated threat. */
export interface Threat extends ThreatDraft {
  /** Stable: derived from rule, category, subject and related ids only (threatId). */
  readonly id: string;
  readonly ruleId: string;
  /** The flow the threat lies on, if any. */
  readonly flow?: string;
  /** Boundaries that flow crosses (whole nesting); empty: not a boundary-crossing threat. */
  readonly crossedBoundaries: readonly string[];
}

/**
 * The id of a threat: a hash of what it is about, never of its wording or its position, so
 * rewording a title, adding an unrelated element or reordering the model keeps every id (the
 * register refers to threats by id).
 */
export function threatId(ruleId: string, category: StrideCategory, subject: string, related: readonly string[] = []): string {
  const content = [ruleId, category, subject, ...[...related].sort()].join('\u0000');
  return 'TM-' + createHash('sha256').update(content).digest('hex').slice(0, 10);
}
