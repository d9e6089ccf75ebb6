import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { generateThreats } from '../../src/threatmodel/generateThreats.ts';
import type { Element, ThreatModel } from '../../src/threatmodel/model.ts';
import { DEFAULT_RULES } from '../../src/threatmodel/rules.ts';
import { threatId } from '../../src/threatmodel/threat.ts';
import { smallModel } from './fixtures.ts';

const idsOf = (model: ThreatModel) => new Map(generateThreats(model, DEFAULT_RULES).map((t) => [t.id, t.title]));

/** A new element (and optionally a flow from an existing one to it) with a fresh id. */
const unrelatedAddition = fc.record({
  suffix: fc.stringMatching(/^[a-z0-9]{1,8}$/),
  kind: fc.constantFrom<Element['kind']>('external', 'process', 'store'),
  boundary: fc.constantFrom(undefined, 'A', 'B', 'C'),
  withFlowFrom: fc.constantFrom(undefined, 'user', 'web'),
  encrypted: fc.boolean(),
});

describe('threat ids', () => {
  it('are derived from rule, category and subject: TM- and 10 hex digits', () => {
    assert.match(threatId('r', 'S', 'x'), /^TM-[0-9a-f]{10}$/);
    assert.equal(threatId('r', 'S', 'x', ['a', 'b']), threatId('r', 'S', 'x', ['b', 'a']));
    assert.notEqual(threatId('r', 'S', 'x'), threatId('r', 'T', 'x'));
    assert.notEqual(threatId('r', 'S', 'x'), threatId('q', 'S', 'x'));
  });

  it('adding an unrelated element or flow keeps every existing id', () => {
    const before = idsOf(smallModel);
    fc.assert(fc.property(unrelatedAddition, ({ suffix, kind, boundary, withFlowFrom, encrypted }) => {
      const id = `new-${suffix}`;
      const element = { id, kind, name: `New ${suffix}`, ...(boundary ? { boundary } : {}) } as Element;
      const flows = withFlowFrom
        ? [...smallModel.flows, { id: `${id}-flow`, name: 'new flow', from: withFlowFrom, to: id, protocol: 'x', encrypted, authenticated: false, data: [] }]
        : smallModel.flows;
      const after = idsOf({ ...smallModel, elements: [element, ...smallModel.elements], flows });
      for (const existing of before.keys()) assert.ok(after.has(existing), `${existing} (${before.get(existing)}) disappeared`);
    }));
  });

  it('reordering the model or renaming an element keeps every id', () => {
    const before = [...idsOf(smallModel).keys()].sort();
    const reordered = { ...smallModel, elements: [...smallModel.elements].reverse(), flows: [...smallModel.flows].reverse() };
    assert.deepEqual([...idsOf(reordered).keys()].sort(), before);
    const renamed = { ...smallModel, elements: smallModel.elements.map((e) => ({ ...e, name: e.name + ' (renamed)' })) };
    assert.deepEqual([...idsOf(renamed).keys()].sort(), before);
  });
});
