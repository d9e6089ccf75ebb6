/** The outcome of one test, from test-results/tests.jsonl (scripts/test-report-reporter.mjs). */
export type TestStatus = 'pass' | 'fail' | 'skip' | 'todo';

export interface TestResult {
  readonly file: string;
  /** "<file> > <describe…> > <it>" */
  readonly name: string;
  readonly status: TestStatus;
}

/**
 * Parses the JSON-lines report. A name that occurs more than once (the same title in one
 * file) counts as passed only if every occurrence passed.
 */
export function parseTestReport(text: string): Map<string, TestStatus> {
  const results = new Map<string, TestStatus>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let parsed: Partial<TestResult>;
    try {
      parsed = JSON.parse(line) as Partial<TestResult>;
    } catch {
      throw new Error(`test report line ${index + 1} is not JSON`);
    }
    if (typeof parsed.name !== 'string' || !['pass', 'fail', 'skip', 'todo'].includes(parsed.status as string)) {
      throw new Error(`test report line ${index + 1} lacks a name or a status`);
    }
    const previous = results.get(parsed.name);
    results.set(parsed.name, previous && previous !== 'pass' ? previous : (parsed.status as TestStatus));
  }
  return results;
}
