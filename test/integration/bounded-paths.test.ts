/**
 * Issue 20 item 12: `XDG_CACHE_HOME=/proc/self` made `bench` spin for more than a minute in mkdir (Node's
 * recursive mkdir loops where mkdir says ENOENT for a folder that exists). Every folder the tool creates is
 * created in a bounded number of steps (src/util/atomic-file.ts, makeDirsSync): the model cache, the history
 * store's folder, an output's folder, the HTML report's folder. Each ends within seconds with one line.
 */
import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/util/errors.js";
import { type CliRun, runCli } from "../support/cli.js";

const fixture = `${import.meta.dirname}/../fixtures/result-generation.json`;

/** Ends within 20 s (a spin would hit the timeout), one line on stderr, the expected exit code. */
function expectQuickOneLine(run: () => CliRun, code: number, pattern: RegExp) {
  const t0 = Date.now();
  const r = run();
  expect(Date.now() - t0).toBeLessThan(20_000);
  expect(r.signal, r.stderr).toBeNull();
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^perf-baseline: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.status).toBe(code);
}

describe("folders under /proc/self end in one line, not a spin", () => {
  it("XDG_CACHE_HOME=/proc/self bench --rounds 1", () => {
    expectQuickOneLine(
      () => runCli(["bench", "--rounds", "1"], { env: { XDG_CACHE_HOME: "/proc/self" }, timeoutMs: 20_000 }),
      EXIT.output,
      /cannot write \/proc\/self\/perf-baseline\/models\/.*\(ENOENT\)/,
    );
  });

  it("XDG_DATA_HOME=/proc/self history import (the store's folder, made by a command that records)", () => {
    expectQuickOneLine(
      () =>
        runCli(["history", "import", fixture], { env: { XDG_DATA_HOME: "/proc/self" }, timeoutMs: 20_000 }),
      EXIT.output,
      /history store sqlite:\/proc\/self\/perf-baseline\/history\.sqlite: cannot be opened \(ENOENT/,
    );
  });

  it("report --html /proc/self/a/b (the report's folder)", () => {
    expectQuickOneLine(
      () => runCli(["report", "--html", "/proc/self/a/b", fixture], { timeoutMs: 20_000 }),
      EXIT.output,
      /cannot write \/proc\/self\/a\/b\/report\.html \((ENOENT|EPERM|EACCES)\)/,
    );
  });
});
