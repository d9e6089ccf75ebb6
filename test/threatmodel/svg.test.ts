import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layoutModel } from '../../src/threatmodel/layout.ts';
import { renderSvg } from '../../src/threatmodel/renderSvg.ts';
import { gatehouseModel } from '../../threat-model/gatehouse.ts';
import { smallModel } from './fixtures.ts';

describe('dataflow diagram (SVG)', () => {
  it('is byte-identical for the same model', () => {
    assert.equal(renderSvg(gatehouseModel), renderSvg(structuredClone(gatehouseModel)));
    assert.equal(renderSvg(smallModel), renderSvg(smallModel));
  });

  it('draws every boundary dashed and every element, and escapes names', () => {
    const svg = renderSvg({ ...smallModel, elements: smallModel.elements.map((e) => (e.id === 'user' ? { ...e, name: 'User <&> "x"' } : e)) });
    assert.equal(svg.match(/stroke-dasharray="8 5"/g)?.length, smallModel.boundaries.length);
    assert.ok(svg.includes('User &lt;&amp;&gt; &quot;x&quot;'));
    assert.ok(!svg.includes('NaN'));
    assert.equal(svg.match(/marker-end=/g)?.length, smallModel.flows.length);
  });

  it('places nested boundaries inside their parents and elements inside their boundaries', () => {
    const layout = layoutModel(gatehouseModel);
    const box = (id: string) => layout.boundaries.find((b) => b.id === id) ?? layout.elements.get(id)!;
    const inside = (inner: string, outer: string) => {
      const a = box(inner);
      const b = box(outer);
      return a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;
    };
    for (const b of gatehouseModel.boundaries) if (b.parent) assert.ok(inside(b.id, b.parent), `${b.id} in ${b.parent}`);
    for (const e of gatehouseModel.elements) if (e.boundary) assert.ok(inside(e.id, e.boundary), `${e.id} in ${e.boundary}`);
    assert.ok(!inside('os-database', 'os-gatehouse') && !inside('os-gatehouse', 'os-database'));
  });
});
