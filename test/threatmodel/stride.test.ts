import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateThreats } from '../../src/threatmodel/generateThreats.ts';
import { DEFAULT_RULES } from '../../src/threatmodel/rules.ts';
import { STRIDE_PER_ELEMENT, strideCategoriesFor, strideElementRule } from '../../src/threatmodel/strideRules.ts';
import { smallModel } from './fixtures.ts';

describe('STRIDE per element', () => {
  it('follows the table: external S,R; process STRIDE; store T,I,D; flow T,I,D', () => {
    assert.deepEqual(STRIDE_PER_ELEMENT, {
      external: ['S', 'R'],
      process: ['S', 'T', 'R', 'I', 'D', 'E'],
      store: ['T', 'I', 'D'],
      flow: ['T', 'I', 'D'],
    });
  });

  it('adds repudiation to a data store only when it holds logs', () => {
    assert.deepEqual(strideCategoriesFor('store', false), ['T', 'I', 'D']);
    assert.deepEqual(strideCategoriesFor('store', true), ['T', 'R', 'I', 'D']);
    assert.deepEqual(strideCategoriesFor('external', true), ['S', 'R']);
  });

  it('gives every element and flow of a model exactly its categories', () => {
    const threats = generateThreats(smallModel, [strideElementRule]);
    const categories = (subject: string) => threats.filter((t) => t.subject === subject).map((t) => t.category).sort().join('');
    assert.equal(categories('user'), 'RS');
    assert.equal(categories('web'), 'DEIRST');
    assert.equal(categories('db'), 'DIT');
    assert.equal(categories('logs'), 'DIRT');
    for (const flow of smallModel.flows) assert.equal(categories(flow.id), 'DIT');
    assert.equal(threats.length, 2 + 6 + 3 + 4 + 3 * smallModel.flows.length);
  });

  it('runs custom rules without touching the engine', () => {
    const custom = { id: 'no-plain-sql', description: 'test rule', apply: () => [{ category: 'I' as const, subject: 'web-db', title: 'x', description: 'y' }] };
    const threats = generateThreats(smallModel, [...DEFAULT_RULES, custom]);
    assert.equal(threats.filter((t) => t.ruleId === 'no-plain-sql').length, 1);
  });

  it('refuses a model with a dangling reference', () => {
    const broken = { ...smallModel, flows: [...smallModel.flows, { ...smallModel.flows[0]!, id: 'x', to: 'nowhere' }] };
    assert.throws(() => generateThreats(broken, DEFAULT_RULES), /unknown target "nowhere"/);
  });
});
