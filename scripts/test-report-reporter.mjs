// A node:test reporter that writes one JSON line per test: {"file","name","status"}.
// `gatehouse threats check` reads it to prove that the tests a mitigation names ran and
// passed (src/threatmodel/testReport.ts). `name` is the full title path: the file relative
// to the repository, then each describe() title, then the it() title, joined by " > ".
import path from 'node:path';

/** @param {AsyncIterable<{type: string, data: any}>} source */
export default async function* testReportReporter(source) {
  // Per file, the titles of the suites that are open at each nesting level: the reported
  // stream gives test:start for a suite before its children, in order, for each file.
  const open = new Map();
  for await (const { type, data } of source) {
    if (!data?.file || data.name === undefined) continue;
    const file = path.relative(process.cwd(), data.file).split(path.sep).join('/');
    const stack = open.get(file) ?? [];
    open.set(file, stack);
    if (type === 'test:start') {
      stack.length = data.nesting;
      stack[data.nesting] = data.name;
    } else if (type === 'test:pass' || type === 'test:fail') {
      if (data.name === data.file) continue; // the file itself, when it has no tests
      const titles = [...stack.slice(0, data.nesting), data.name];
      const status = data.skip ? 'skip' : data.todo ? 'todo' : type === 'test:pass' ? 'pass' : 'fail';
      const kind = data.details?.type === 'suite' ? 'suite' : 'test';
      yield JSON.stringify({ file, name: [file, ...titles].join(' > '), kind, status }) + '\n';
    }
  }
}
