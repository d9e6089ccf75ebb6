// Tampering with the audit log on a real SQLite database file, as someone with access to the
// file but not to the keyring would (MISSION.md §2, audit: "protected from tampering"; the
// chapter's rogue administrator). Each kind of change is made with plain SQL to a copy of a
// log written by real traffic; `gatehouse audit verify` and GET /v1/audit/verify must notice
// it and name the first bad record. Cutting the tail is only visible against a checkpoint
// kept elsewhere, which is why `audit checkpoint` exists.
// SQLite only (also under npm run test:postgres): it edits a copy of the database file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { Keyring } from '../../src/crypto/keyring.ts';
import { adminWithToken, call } from '../helpers/api.ts';
import { startTestServer } from '../helpers/testServer.ts';
import { copyDataDir, dataDirWithTraffic, gatehouse, tamper } from './auditFixtures.ts';

const COLUMNS = 'time, request_id, phase, actor, actor_type, auth_method, client_address, user_agent, method, route, resource, outcome, reason, status, key_id, mac';

describe('tampering with the audit log file', () => {
  let pristine: { dir: string; records: number };
  const verify = (dir: string, ...extra: string[]) => gatehouse(['audit', 'verify', ...extra], { GATEHOUSE_DATA_DIR: dir });
  const tampered = (name: string, ...statements: string[]) => {
    const dir = copyDataDir(pristine.dir, name);
    tamper(path.join(dir, 'gatehouse.sqlite'), ...statements);
    return dir;
  };

  before(async () => {
    pristine = await dataDirWithTraffic('pristine');
    assert.ok(pristine.records >= 16, `traffic wrote ${pristine.records} records`);
  });

  it('verifies the untouched log', async () => {
    const result = await verify(pristine.dir);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, new RegExp(`intact: ${pristine.records} records verified`));
  });

  it('detects a modified field (outcome and status rewritten) and names the record', async () => {
    const dir = tampered('modify', "update audit_log set outcome = 'allowed', status = 200 where seq = 5");
    const result = await verify(dir, '--json');
    assert.equal(result.code, 1);
    assert.deepEqual(JSON.parse(result.out), { ok: false, checked: 5, outbox: 0, firstBadId: '5', problem: 'record 5 was modified, moved, or its predecessor was changed' });
  });

  it('detects a deleted record, and one deleted with the rest renumbered', async () => {
    const gap = await verify(tampered('delete', 'delete from audit_log where seq = 7'));
    assert.equal(gap.code, 1);
    assert.match(gap.err, /NOT intact at record 8: records 7\.\.7 are missing/);
    const closed = await verify(tampered('delete-renumber', 'delete from audit_log where seq = 7', 'update audit_log set seq = seq - 1 where seq > 7'));
    assert.equal(closed.code, 1);
    assert.match(closed.err, /NOT intact at record 7:/);
  });

  it('detects an inserted record (a copy of a genuine one, MAC and all)', async () => {
    const dir = tampered('insert',
      'update audit_log set seq = seq + 100000 where seq >= 10',
      'update audit_log set seq = seq - 99999 where seq >= 100000',
      `insert into audit_log (seq, ${COLUMNS}) select 10, ${COLUMNS} from audit_log where seq = 3`);
    const result = await verify(dir);
    assert.equal(result.code, 1);
    assert.match(result.err, /NOT intact at record 10:/);
  });

  it('detects two records swapped', async () => {
    const dir = tampered('swap',
      'create temp table pair as select * from audit_log where seq in (4, 9)',
      `update audit_log set (${COLUMNS}) = (select ${COLUMNS} from pair where pair.seq = (case audit_log.seq when 4 then 9 else 4 end)) where seq in (4, 9)`);
    const result = await verify(dir);
    assert.equal(result.code, 1);
    assert.match(result.err, /NOT intact at record 4:/);
  });

  it('detects the head cut off, and a forged prune anchor meant to hide it', async () => {
    const cut = await verify(tampered('head', 'delete from audit_log where seq <= 3'));
    assert.match(cut.err, /NOT intact at record 4: records 1\.\.3 are missing/);
    const forged = await verify(tampered('anchor', 'delete from audit_log where seq <= 3',
      `insert into audit_anchors (seq, mac, time, key_id, sig) select 3, mac, '2026-11-22T00:00:00.000Z', key_id, 'forged' from audit_log where seq = 4`));
    assert.equal(forged.code, 1);
    assert.match(forged.err, /prune anchor at 3 is not authentic/);
  });

  it('detects the tail cut off against a checkpoint kept elsewhere (file or string)', async () => {
    const dir = copyDataDir(pristine.dir, 'tail');
    const checkpoint = await gatehouse(['audit', 'checkpoint'], { GATEHOUSE_DATA_DIR: dir });
    assert.equal(checkpoint.code, 0, checkpoint.err);
    const cpFile = path.join(copyDataDir(pristine.dir, 'elsewhere'), 'checkpoints.jsonl');
    fs.writeFileSync(cpFile, checkpoint.out);
    assert.equal((await verify(dir, '--checkpoint', cpFile)).code, 0, 'the intact log reaches its checkpoint');

    tamper(path.join(dir, 'gatehouse.sqlite'), `delete from audit_log where seq > ${pristine.records - 3}`);
    assert.equal((await verify(dir)).code, 0, 'a cut tail looks like a shorter log without a checkpoint');
    for (const given of [cpFile, checkpoint.out.trim()]) {
      const result = await verify(dir, '--checkpoint', given);
      assert.equal(result.code, 1);
      assert.match(result.err, new RegExp(`NOT intact at record ${pristine.records - 2}: the log ends at ${pristine.records - 3} but a checkpoint reaches ${pristine.records}`));
    }
  });

  it('refuses a checkpoint that this keyring did not sign', async () => {
    const checkpoint = JSON.parse((await gatehouse(['audit', 'checkpoint'], { GATEHOUSE_DATA_DIR: pristine.dir })).out);
    const forged = JSON.stringify({ ...checkpoint, seq: 1 });
    const result = await verify(pristine.dir, '--checkpoint', forged);
    assert.equal(result.code, 1);
    assert.match(result.err, /checkpoint at 1 is not signed/);
    const bad = await verify(pristine.dir, '--checkpoint', '{"v":1}');
    assert.equal(bad.code, 2, 'a malformed checkpoint is a usage error');
  });

  it('GET /v1/audit/verify reports the same, to administrators only, through the pipeline', async () => {
    const dir = tampered('http', "update audit_log set actor = 'nobody' where seq = 6");
    const keyring = Keyring.loadOrCreate(path.join(dir, 'keyring'));
    const server = await startTestServer({ databaseUrl: `sqlite:${path.join(dir, 'gatehouse.sqlite')}`, keyring });
    try {
      const admin = await adminWithToken(server.app.fastify, server.app.accounts, 'auditor');
      const res = await call(server.app.fastify, 'GET', '/v1/audit/verify', { token: admin.token });
      assert.equal(res.status, 200);
      assert.equal(res.json.ok, false);
      assert.equal(res.json.firstBadId, '6');
      assert.equal(res.json.checked, 6);
      assert.equal((await call(server.app.fastify, 'GET', '/v1/audit/verify')).status, 401);
    } finally {
      await server.close();
    }
    const intact = await startTestServer({ databaseUrl: `sqlite:${path.join(copyDataDir(pristine.dir, 'http-ok'), 'gatehouse.sqlite')}`, keyring: Keyring.loadOrCreate(path.join(pristine.dir, 'keyring')) });
    try {
      const admin = await adminWithToken(intact.app.fastify, intact.app.accounts, 'auditor');
      const res = await call(intact.app.fastify, 'GET', '/v1/audit/verify', { token: admin.token });
      assert.equal(res.json.ok, true);
      assert.ok(res.json.checked > pristine.records, 'the records of this session are chained on');
      assert.equal(res.json.firstBadId, undefined);
    } finally {
      await intact.close();
    }
  });
});
