// The command line (API.md "Configuration and command line"): every command has --help (exit
// 0); a wrong invocation prints what was wrong and exits non-zero (2 for usage errors);
// `user add <name> [--admin]` creates the user in the configured data dir, reading the password
// as a secret, and refuses weak passwords and taken names with exit 1 and the reason. The last
// tests run the real `bin/gatehouse.js` with the password on standard input.
// SQLite only (also under npm run test:postgres): the commands run on a data-dir database file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import Sqlite from 'better-sqlite3';
import { main, type CommandIo } from '../../src/cli/main.ts';
import { passwordFor } from '../helpers/api.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs main() with captured output; `password` is what the secret prompt returns. */
async function run(argv: string[], options: { password?: string; dataDir?: string } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const prompts: string[] = [];
  const io: CommandIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readSecret: async (prompt) => {
      prompts.push(prompt);
      if (options.password === undefined) throw new Error('unexpected password prompt');
      return options.password;
    },
    env: { GATEHOUSE_DATA_DIR: options.dataDir ?? tmp },
  };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n'), prompts };
}

function usersIn(dataDir: string): { username: string; is_admin: number; password_hash: string }[] {
  const db = new Sqlite(path.join(dataDir, 'gatehouse.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('select username, is_admin, password_hash from users order by username').all() as never;
  } finally {
    db.close();
  }
}

describe('gatehouse (main)', () => {
  it('--help prints the usage and exits 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const r = await run([flag]);
      assert.equal(r.code, 0, flag);
      assert.match(r.out, /Usage: gatehouse <command>/);
      assert.match(r.out, /serve/);
      assert.match(r.out, /user add/);
    }
  });

  it('no arguments: usage, exit 2', async () => {
    const r = await run([]);
    assert.equal(r.code, 2);
    assert.match(r.out + r.err, /Usage: gatehouse <command>/);
  });

  it('an unknown command: names it, exit 2', async () => {
    const r = await run(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown command "frobnicate"/);
    assert.match(r.err, /Usage:/);
  });

  it('serve --bogus: names the option, exit 2, without starting anything', async () => {
    const r = await run(['serve', '--bogus']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--bogus/);
    assert.match(r.err, /Usage: gatehouse serve/);
  });

  it('serve --help and user add --help print the command usage, exit 0', async () => {
    const serve = await run(['serve', '--help']);
    assert.equal(serve.code, 0);
    assert.match(serve.out, /Usage: gatehouse serve/);
    assert.match(serve.out, /GATEHOUSE_PORT/);
    const add = await run(['user', 'add', '--help']);
    assert.equal(add.code, 0);
    assert.match(add.out, /Usage: gatehouse user add <username> \[--admin\]/);
    assert.deepEqual(add.prompts, [], 'no password asked for');
  });
});

describe('gatehouse user add', () => {
  it('creates an administrator with --admin, asking for the password as a secret', async () => {
    const r = await run(['user', 'add', 'alice', '--admin'], { password: passwordFor('alice') });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /created administrator alice/);
    assert.equal(r.prompts.length, 1);
    assert.ok(!r.out.includes(passwordFor('alice')) && !r.err.includes(passwordFor('alice')), 'the password is never printed');
    const alice = usersIn(tmp).find((u) => u.username === 'alice');
    assert.ok(alice, 'alice is in the database');
    assert.equal(alice.is_admin, 1);
    assert.match(alice.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('creates an ordinary user without --admin', async () => {
    const r = await run(['user', 'add', 'carol'], { password: passwordFor('carol') });
    assert.equal(r.code, 0, r.err);
    assert.equal(usersIn(tmp).find((u) => u.username === 'carol')?.is_admin, 0);
  });

  it('without a name: exit 2 saying what is missing', async () => {
    const r = await run(['user', 'add'], { password: passwordFor('x') });
    assert.equal(r.code, 2);
    assert.match(r.err, /missing <username>/);
    assert.deepEqual(r.prompts, []);
  });

  it('other wrong invocations: exit 2', async () => {
    for (const argv of [['user'], ['user', 'remove', 'alice'], ['user', 'add', 'a1', 'extra'], ['user', 'add', 'dave', '--root']]) {
      const r = await run(argv, { password: passwordFor('x') });
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, /Usage: gatehouse user add/);
    }
  });

  it('a weak password: exit 1 with the reason, and no user created', async () => {
    const short = await run(['user', 'add', 'weakling'], { password: 'short' });
    assert.equal(short.code, 1);
    assert.match(short.err, /at least 12 characters/);
    const common = await run(['user', 'add', 'weakling'], { password: 'password1234' });
    assert.equal(common.code, 1);
    assert.match(common.err, /too common/);
    assert.ok(!usersIn(tmp).some((u) => u.username === 'weakling'));
  });

  it('an invalid username: exit 2 with the rule, before any password is asked for', async () => {
    const r = await run(['user', 'add', 'Bad Name'], { password: passwordFor('bad') });
    assert.equal(r.code, 2);
    assert.match(r.err, /username/i);
  });

  it('a taken name: exit 1 saying so, and the first user is unchanged', async () => {
    const before = usersIn(tmp).find((u) => u.username === 'alice');
    const r = await run(['user', 'add', 'alice'], { password: passwordFor('other-alice') });
    assert.equal(r.code, 1);
    assert.match(r.err, /taken/);
    assert.deepEqual(usersIn(tmp).find((u) => u.username === 'alice'), before);
  });

  it('a bad configuration: names the variable, non-zero exit', async () => {
    const out: string[] = [];
    const code = await main(['user', 'add', 'erin'], {
      out: (t) => out.push(t), err: (t) => out.push(t), readSecret: async () => passwordFor('erin'),
      env: { GATEHOUSE_DATA_DIR: tmp, GATEHOUSE_PROT: '1' },
    });
    assert.notEqual(code, 0);
    assert.match(out.join('\n'), /GATEHOUSE_PROT/);
  });
});

/** Runs the real binary; only the variables given (plus PATH) are in its environment. */
function runBinary(args: string[], env: Record<string, string>, stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/gatehouse.js'), ...args], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

// The two runs are independent; in parallel they cost one tsx start-up instead of two.
describe('bin/gatehouse.js', { concurrency: 2 }, () => {
  it('user add bob, with the password on standard input: exit 0 and bob exists', async () => {
    const dataDir = path.join(tmp, 'binary');
    const r = await runBinary(['user', 'add', 'bob'], { GATEHOUSE_DATA_DIR: dataDir }, `${passwordFor('bob')}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /created user bob/);
    assert.ok(!r.stdout.includes(passwordFor('bob')) && !r.stderr.includes(passwordFor('bob')));
    const bob = usersIn(dataDir).find((u) => u.username === 'bob');
    assert.ok(bob);
    assert.equal(bob.is_admin, 0);
    assert.equal((fs.statSync(dataDir).mode & 0o777), 0o700);
  });

  it('frobnicate: non-zero exit, saying what was wrong', async () => {
    const r = await runBinary(['frobnicate'], { GATEHOUSE_DATA_DIR: path.join(tmp, 'unused') });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unknown command "frobnicate"/);
    assert.ok(!fs.existsSync(path.join(tmp, 'unused')), 'nothing created');
  });
});
