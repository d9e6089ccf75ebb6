import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundaryChain, crossedBoundaries, crossing } from '../../src/threatmodel/boundaries.ts';
import { generateThreats } from '../../src/threatmodel/generateThreats.ts';
import { DEFAULT_RULES } from '../../src/threatmodel/rules.ts';
import { validateModel } from '../../src/threatmodel/validateModel.ts';
import { smallModel } from './fixtures.ts';

describe('nested trust boundaries', () => {
  it('an element sits in its boundary and every ancestor, innermost first', () => {
    assert.deepEqual(boundaryChain(smallModel, 'B'), ['B', 'A']);
    assert.deepEqual(boundaryChain(smallModel, undefined), []);
  });

  it('crossing from inside A.B to outside A crosses both B and A', () => {
    assert.deepEqual(crossing(smallModel, 'web', 'user'), { leaves: ['B', 'A'], enters: [] });
    assert.deepEqual(crossing(smallModel, 'user', 'web'), { leaves: [], enters: ['B', 'A'] });
    assert.deepEqual(crossedBoundaries(crossing(smallModel, 'user', 'web')), ['A', 'B']);
  });

  it('between sibling accounts in one datacenter only the two accounts are crossed', () => {
    assert.deepEqual(crossing(smallModel, 'web', 'db'), { leaves: ['B'], enters: ['C'] });
  });

  it('inside one boundary nothing is crossed, and no crossing rule fires', () => {
    assert.deepEqual(crossing(smallModel, 'web', 'logs'), { leaves: [], enters: [] });
    const threats = generateThreats(smallModel, DEFAULT_RULES).filter((t) => t.subject === 'web-logs');
    assert.ok(threats.every((t) => t.ruleId === 'stride-per-element' && t.crossedBoundaries.length === 0));
  });

  it('crossing rules see the whole nesting: an unencrypted flow between accounts is flagged', () => {
    const threats = generateThreats(smallModel, DEFAULT_RULES);
    const transit = threats.filter((t) => t.ruleId === 'crossing-unprotected-transit');
    assert.deepEqual(transit.map((t) => `${t.subject}:${t.category}`).sort(), ['web-db:I', 'web-db:T']);
    const spoof = threats.find((t) => t.ruleId === 'crossing-spoofed-sender' && t.subject === 'user-web')!;
    assert.deepEqual(spoof.crossedBoundaries, ['A', 'B']);
    assert.match(spoof.title, /Datacenter, Account web/);
  });

  it('moving the user into the datacenter removes the outer crossing', () => {
    const inside = { ...smallModel, elements: smallModel.elements.map((e) => (e.id === 'user' ? { ...e, boundary: 'A' } : e)) };
    assert.deepEqual(crossing(inside, 'user', 'web'), { leaves: [], enters: ['B'] });
  });

  it('a boundary that is its own ancestor is refused', () => {
    const cyclic = { ...smallModel, boundaries: [{ id: 'A', name: 'a', parent: 'B' }, { id: 'B', name: 'b', parent: 'A' }, { id: 'C', name: 'c' }] };
    assert.ok(validateModel(cyclic).some((p) => p.includes('its own ancestor')));
  });
});
