// Audit without amplification (issue 6 §7): a flood of rejections cannot fill the disk
// through the audit log. 10,000 rate-limited requests from one address produce a bounded
// number of records (the first few in full, then ONE summary per window) that still state
// how many were refused, and when. Other clients' rejections are recorded in full regardless.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { AuditRecord } from '../../../src/audit/AuditRecord.ts';
import type { Config } from '../../../src/config/schema.ts';
import { RejectionAggregator, OVERFLOW_KEY } from '../../../src/pipeline/audit/RejectionAggregator.ts';
import { openDatabase } from '../../../src/store/database.ts';
import { fakeClock, startTestServer } from '../../helpers/testServer.ts';

const T0 = Date.parse('2026-11-22T12:00:00Z');
const record = (id: string): AuditRecord => ({
  time: T0, requestId: id, phase: 'outcome', actor: 'anonymous', actorType: 'anonymous', authMethod: 'none', clientAddress: '192.0.2.1',
  userAgent: '', method: 'GET', route: '/healthz', resource: '/healthz', outcome: 'denied', reason: 'rate_limited: rate limit: address limit exceeded', status: 429,
});

describe('RejectionAggregator (pure, time passed in)', () => {
  it('records the first few in full per key and window, then one summary with the count and the first and last time', () => {
    const agg = new RejectionAggregator({ windowMs: 1000, fullPerKey: 2, maxKeys: 10 });
    const full = [0, 1, 2, 3, 4].map((i) => agg.admit('k', record(`r${i}`), T0 + i * 10).full);
    assert.deepEqual(full, [true, true, false, false, false]);
    assert.deepEqual(agg.due(T0 + 999), [], 'the window is still open');
    const [summary, ...rest] = agg.due(T0 + 1000);
    assert.equal(rest.length, 0);
    assert.match(summary!.reason, /aggregated: 3 rejections from 2026-11-22T12:00:00\.020Z to 2026-11-22T12:00:00\.040Z$/);
    assert.equal(summary!.time, T0 + 40);
    assert.equal(summary!.requestId, 'aggregate-r4');
    assert.equal(agg.size, 0);
  });

  it('a key coming back after its window gets its summary then and a fresh window', () => {
    const agg = new RejectionAggregator({ windowMs: 1000, fullPerKey: 1, maxKeys: 10 });
    agg.admit('k', record('a'), T0);
    agg.admit('k', record('b'), T0 + 1);
    const later = agg.admit('k', record('c'), T0 + 5000);
    assert.equal(later.full, true);
    assert.equal(later.summaries.length, 1);
    assert.match(later.summaries[0]!.reason, /aggregated: 1 rejections/);
  });

  it('countOnly counts a rejection exactly as admit would, and only when admit would merely count it', () => {
    const limits = { windowMs: 1000, fullPerKey: 2, maxKeys: 2 };
    const viaAdmit = new RejectionAggregator(limits);
    const mixed = new RejectionAggregator(limits);
    const times = [0, 1, 2, 3, 4, 999, 1000, 1001, 1002, 1003];
    for (const [i, t] of times.entries()) {
      viaAdmit.admit('k', record(`r${i}`), T0 + t);
      // The fast path's way: countOnly first, admit (the normal path) only when it declines.
      if (!mixed.countOnly('k', record(`r${i}`), T0 + t)) mixed.admit('k', record(`r${i}`), T0 + t);
    }
    assert.deepEqual(mixed.drain(), viaAdmit.drain());
    const fresh = new RejectionAggregator(limits);
    assert.equal(fresh.countOnly('k', record('x'), T0), false, 'no window yet: the first rejections are recorded in full');
    fresh.admit('k', record('a'), T0);
    assert.equal(fresh.countOnly('k', record('b'), T0), false, 'the window still wants full records');
    fresh.admit('k', record('b'), T0);
    assert.equal(fresh.countOnly('k', record('c'), T0 + 1), true);
    assert.equal(fresh.countOnly('k', record('d'), T0 + 1000), false, 'the window has ended: admit summarizes it');
    // Beyond maxKeys, the shared overflow window counts (and never records in full).
    fresh.admit('k2', record('e'), T0);
    fresh.admit('k3', record('f'), T0);
    assert.equal(fresh.countOnly('k4', record('g'), T0 + 2), true);
    assert.match(fresh.drain().find((s) => s.requestId === 'aggregate-g')!.reason, /aggregated: 2 rejections/);
  });

  it('keys beyond maxKeys are counted together, so spraying addresses does not grow the table', () => {
    const agg = new RejectionAggregator({ windowMs: 1000, fullPerKey: 1, maxKeys: 3 });
    const full = Array.from({ length: 100 }, (_, i) => agg.admit(`k${i}`, record(`r${i}`), T0).full).filter(Boolean).length;
    assert.equal(full, 3);
    assert.equal(agg.size, 4, `three keys and ${OVERFLOW_KEY}`);
    const [summary] = agg.drain();
    assert.match(summary!.reason, /aggregated: 97 rejections/);
  });
});

describe('through the pipeline', () => {
  it('10,000 rejected requests from one address: a bounded number of records, the count stated', async () => {
    const clock = fakeClock();
    const server = await startTestServer({ clock, config: { rateLimit: { addressPerSecond: 1 } as Config['rateLimit'] } });
    const statuses = new Map<number, number>();
    try {
      for (let i = 0; i < 10_002; i++) {
        const res = await server.app.fastify.inject({ method: 'GET', url: '/healthz', remoteAddress: '198.51.100.7' });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      }
      // Another client's rejection in the same minute is still recorded in full.
      for (let i = 0; i < 3; i++) await server.app.fastify.inject({ method: 'GET', url: '/healthz', remoteAddress: '198.51.100.8' });
      clock.advance(61_000);
      await server.app.fastify.inject({ method: 'GET', url: '/healthz', remoteAddress: '203.0.113.1' }); // the sweep
      await server.app.auditLog.flush();
      assert.deepEqual(Object.fromEntries(statuses), { 200: 2, 429: 10_000 });
      const rows = await server.database.db.selectFrom('audit_log').select(['client_address', 'phase', 'reason', 'status']).where('client_address', '=', '198.51.100.7').execute();
      const refused = rows.filter((r) => r.status === 429);
      assert.ok(rows.length <= 2 * 2 + 2 * 10 + 1, `${rows.length} records for 10,002 requests`);
      const summaries = refused.filter((r) => r.reason.includes('aggregated:'));
      assert.equal(summaries.length, 1);
      assert.match(summaries[0]!.reason, /^rate_limited: rate limit: address limit exceeded; aggregated: 9990 rejections from /);
      const other = await server.database.db.selectFrom('audit_log').select('status').where('client_address', '=', '198.51.100.8').where('phase', '=', 'outcome').execute();
      assert.deepEqual(other.map((r) => r.status), [200, 200, 429]);
    } finally {
      await server.close();
    }
  });

  it('at shutdown, the summaries of open windows are stored before the database closes', async () => {
    // Found by `npm run verify:attacks`: Fastify runs onClose hooks last-registered first, so
    // the final audit flush ran before the pipeline drained its open windows, and their
    // summaries were written to a closed database ("driver has already been destroyed").
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-aggregate-'));
    const databaseUrl = `sqlite:${path.join(dir, 'audit.sqlite')}`;
    try {
      const server = await startTestServer({ databaseUrl, config: { rateLimit: { addressPerSecond: 1 } as Config['rateLimit'] } });
      for (let i = 0; i < 30; i++) await server.app.fastify.inject({ method: 'GET', url: '/healthz', remoteAddress: '198.51.100.9' });
      await server.close();
      const database = await openDatabase(databaseUrl);
      try {
        const reasons = await database.db.selectFrom('audit_log').select('reason').where('client_address', '=', '198.51.100.9').execute();
        assert.equal(reasons.filter((r) => r.reason.includes('aggregated:')).length, 1, 'the open window\'s summary was stored at shutdown');
      } finally {
        await database.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
