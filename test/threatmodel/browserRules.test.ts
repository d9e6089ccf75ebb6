import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BROWSER_RULES } from '../../src/threatmodel/browserRules.ts';
import { generateThreats } from '../../src/threatmodel/generateThreats.ts';
import type { ThreatModel } from '../../src/threatmodel/model.ts';
import { DEFAULT_RULES } from '../../src/threatmodel/rules.ts';
import { smallModel } from './fixtures.ts';

/** The fixture with its user as a browser inside its own boundary. */
const withBrowser: ThreatModel = {
  ...smallModel,
  boundaries: [...smallModel.boundaries, { id: 'S', name: 'Browser sandbox' }],
  elements: smallModel.elements.map((e) => (e.id === 'user' ? { ...e, kind: 'external' as const, boundary: 'S', browser: true } : e)),
};

const rulesOn = (model: ThreatModel, flow: string) =>
  generateThreats(model, DEFAULT_RULES).filter((t) => t.subject === flow && t.ruleId.startsWith('browser-')).map((t) => `${t.category} ${t.ruleId}`).sort();

describe('browser rules', () => {
  it('add script injection, markup injection and clickjacking on every flow from a browser into a process across a boundary', () => {
    assert.deepEqual(rulesOn(withBrowser, 'user-web-public'), ['E browser-script-injection', 'S browser-framing', 'T browser-markup-injection']);
  });

  it('add cross-site request forgery where the browser authenticates the flow (ambient cookies)', () => {
    assert.deepEqual(rulesOn(withBrowser, 'user-web'), ['E browser-script-injection', 'S browser-framing', 'S browser-request-forgery', 'T browser-markup-injection']);
  });

  it('their threats are boundary-crossing, so the gate holds them to evidence', () => {
    const browserThreats = generateThreats(withBrowser, DEFAULT_RULES).filter((t) => t.ruleId.startsWith('browser-'));
    assert.equal(browserThreats.length, 7);
    for (const t of browserThreats) assert.deepEqual(t.crossedBoundaries, ['S', 'A', 'B'], t.id);
  });

  it('report nothing for an entity that is not a browser', () => {
    assert.deepEqual(generateThreats(smallModel, BROWSER_RULES), []);
  });
});
