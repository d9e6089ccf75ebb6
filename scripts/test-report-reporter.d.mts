/** Types for the node:test reporter (scripts/test-report-reporter.mjs), for its tests. */
export default function testReportReporter(source: AsyncIterable<{ type: string; data: unknown }>): AsyncGenerator<string>;
