import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import testReportReporter from '../../scripts/test-report-reporter.mjs';
import { parseTestReport } from '../../src/threatmodel/testReport.ts';

const file = `${process.cwd()}/test/x.test.ts`;
const event = (type: string, name: string, nesting: number, extra: Record<string, unknown> = {}) => ({ type, data: { name, nesting, file, ...extra } });

async function report(events: { type: string; data: unknown }[]): Promise<string> {
  async function* source() {
    yield* events;
  }
  let text = '';
  for await (const line of testReportReporter(source())) text += line;
  return text;
}

describe('test report', () => {
  it('names each test by file and full title path, with its outcome', async () => {
    const text = await report([
      event('test:start', 'suite', 0),
      event('test:start', 'passes', 1),
      event('test:pass', 'passes', 1),
      event('test:start', 'inner', 1),
      event('test:start', 'fails', 2),
      event('test:fail', 'fails', 2),
      event('test:fail', 'inner', 1, { details: { type: 'suite' } }),
      event('test:start', 'skipped', 1),
      event('test:pass', 'skipped', 1, { skip: true }),
      event('test:fail', 'suite', 0, { details: { type: 'suite' } }),
    ]);
    const results = parseTestReport(text);
    assert.equal(results.get('test/x.test.ts > suite > passes'), 'pass');
    assert.equal(results.get('test/x.test.ts > suite > inner > fails'), 'fail');
    assert.equal(results.get('test/x.test.ts > suite > skipped'), 'skip');
  });

  it('a title that occurs twice passes only if both passed', () => {
    const line = (status: string) => JSON.stringify({ file: 'f', name: 'f > t', status });
    assert.equal(parseTestReport([line('pass'), line('fail')].join('\n')).get('f > t'), 'fail');
    assert.equal(parseTestReport([line('fail'), line('pass')].join('\n')).get('f > t'), 'fail');
    assert.equal(parseTestReport([line('pass'), line('pass')].join('\n')).get('f > t'), 'pass');
  });

  it('refuses a line that is not a result', () => {
    assert.throws(() => parseTestReport('not json'), /line 1 is not JSON/);
    assert.throws(() => parseTestReport('{"name":"x","status":"maybe"}'), /line 1 lacks/);
  });
});
