/**
 * Every skipped test says why. A test file that skips a block when something is missing (`describe.skipIf`,
 * `it.skipIf`, `it.runIf`) also calls {@link sayWhySkipped} with the same condition: when it holds, one test
 * runs that prints the reason on stderr, and its name ("skipped: ...") shows in the report, as the
 * PostgreSQL skips of test/integration/history-concurrency.test.ts do. test/unit/skip-reasons.test.ts
 * checks that every file that skips calls it.
 */
import { it } from "vitest";

/**
 * Registers, only when `skipped` is true, a test named "skipped: REASON" that prints `FILE: skipped: REASON`
 * on stderr.
 * @param what the tests skipped, e.g. "HTML report in headless Chromium"
 * @param reason why, and how to run them, e.g. "no Chromium at /usr/bin/chromium (set PERF_BASELINE_CHROMIUM)"
 */
export function sayWhySkipped(skipped: boolean, what: string, reason: string): void {
  // registered only when the tests are skipped: a placeholder that is itself skipped would show a reason
  // that is not true on this machine
  if (!skipped) return;
  it(`skipped: ${what}: ${reason}`, () => {
    process.stderr.write(`${what}: skipped: ${reason}\n`);
  });
}
