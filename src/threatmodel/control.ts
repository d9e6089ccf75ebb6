/**
 * A security control as the code declares it, next to the stage that implements it
 * (src/pipeline/<stage>/controls.ts exports `CONTROLS`). The threat register names controls
 * by id; `gatehouse threats check` fails when a named control is not declared, or a declared
 * control points at a file that does not exist.
 */
export interface ControlDeclaration {
  /** Stable, kebab-case: e.g. 'tls-1.2-minimum'. */
  readonly id: string;
  readonly title: string;
  /** Source files (from the repository root) that implement it. */
  readonly implementedIn: readonly string[];
}
