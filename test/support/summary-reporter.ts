// Prints one closing line, `N passed, N failed` (`, N skipped` when any were skipped), which CI
// reads from the end of `npm test`. Vitest's own summary is printed by the default reporter, which
// is listed first in vitest.config.ts, so this line comes after it and is the last line of output.
//
// Counts individual tests. So that the line never reads "0 failed" for a run that failed, a test
// module that failed with no failing test inside it (an import/syntax error, a failing
// beforeAll/afterAll hook) counts as one failure, and so does each unhandled error.
import type { Reporter, TestModule } from 'vitest/node';

type OnTestRunEnd = NonNullable<Reporter['onTestRunEnd']>;

export function summaryLine(testModules: ReadonlyArray<TestModule>, unhandledErrors: number): string {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const mod of testModules) {
    let failedHere = 0;
    for (const test of mod.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') passed++;
      else if (state === 'failed') failedHere++;
      else if (state === 'skipped') skipped++;
    }
    if (failedHere === 0 && mod.state() === 'failed') failedHere = 1;
    failed += failedHere;
  }
  failed += unhandledErrors;
  return `${passed} passed, ${failed} failed` + (skipped > 0 ? `, ${skipped} skipped` : '');
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd: OnTestRunEnd = (testModules, unhandledErrors) => {
    process.stdout.write(`${summaryLine(testModules, unhandledErrors.length)}\n`);
  };
}
