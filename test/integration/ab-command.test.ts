/**
 * `ab --a-cmd --b-cmd` on controlled inputs: a fake benchmark command (test/support/fake-bench-command.mjs)
 * prints results with set samples, so the verdict does not depend on this machine's speed; every way a side
 * can fail is one line naming the side and the run, with a non-zero exit and no process left behind.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCommandOutput } from "../../src/execute/command.js";
import { ROOT, runCli } from "../support/cli.js";
import { FAKE_BENCH_COMMAND, writeFakeMultiTestRuns, writeFakeRuns } from "../support/fake-bench-runs.js";

const FAKE = FAKE_BENCH_COMMAND;
const TMP = mkdtempSync(join(tmpdir(), "pb-ab-command-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** A folder of results for the fake command under this test's temporary folder. */
function writeRuns(name: string, factor: number, runs = 8, test?: string): string {
  return writeFakeRuns(join(TMP, name), factor, runs, test);
}

/** The fake command for a folder, as one --a-cmd/--b-cmd string. */
function fake(dir: string, extra = ""): string {
  return `${process.execPath} ${FAKE} --dir ${dir} ${extra}`.trim();
}

/** Whether process `pid` is gone (or a zombie: killed, not yet reaped) within `ms`. */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const t0 = Date.now();
  for (;;) {
    let state = "";
    try {
      state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] ?? "";
    } catch {
      return true;
    }
    if (state === "Z") return true;
    if (Date.now() - t0 > ms) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const BLOCKS = ["--min-blocks", "8", "--max-blocks", "8"];

describe("ab --a-cmd --b-cmd on a fake command", () => {
  it("B 25 % slower: REGRESSION (exit 1); B equal: not REGRESSION", () => {
    const a = writeRuns("a", 1);
    const slow = runCli(["ab", "--a-cmd", fake(a), "--b-cmd", fake(writeRuns("b-slow", 0.75)), ...BLOCKS]);
    expect(slow.stdout).toMatch(/^REGRESSION: 8 blocks: B\/A ratio 0\.7/m);
    expect(slow.status).toBe(1);
    const same = runCli([
      "ab",
      "--a-cmd",
      fake(writeRuns("a2", 1)),
      "--b-cmd",
      fake(writeRuns("b-same", 1)),
      ...BLOCKS,
    ]);
    expect(same.stdout).not.toMatch(/^REGRESSION/m);
    expect(same.stdout).toMatch(/^PASS/m);
    expect(same.status).toBe(0);
  });

  it("INCONCLUSIVE: the fix names what a command side accepts, not --rounds (which it refuses)", () => {
    const r = runCli([
      "ab",
      "--a-cmd",
      fake(writeRuns("a-short", 1, 2)),
      "--b-cmd",
      fake(writeRuns("b-short", 0.85, 2)),
      "--min-blocks",
      "2",
      "--max-blocks",
      "2",
    ]);
    expect(r.stdout, r.stderr).toMatch(/^INCONCLUSIVE/m);
    expect(r.status).toBe(3);
    const fix = r.stdout.split("\n").find((l) => l.includes("raise --max-blocks")) ?? "";
    expect(fix).toMatch(/or the repetitions each side's command runs/);
    expect(fix).not.toContain("--rounds");
  });

  it("llama-bench JSON (a fake printing set samples_ts): B 25 % slower REGRESSION, equal not", () => {
    const lb = (name: string, ts: number) => fake(join(TMP, name), `--llama-bench ${ts}`);
    for (const name of ["lb-a", "lb-b", "lb-a2", "lb-b2"]) mkdirSync(join(TMP, name));
    const slow = runCli(["ab", "--a-cmd", lb("lb-a", 40), "--b-cmd", lb("lb-b", 30), ...BLOCKS]);
    expect(slow.stdout).toMatch(/^REGRESSION: 8 blocks: B\/A ratio 0\.7/m);
    expect(slow.status).toBe(1);
    const same = runCli(["ab", "--a-cmd", lb("lb-a2", 40), "--b-cmd", lb("lb-b2", 40), ...BLOCKS]);
    expect(same.stdout).not.toMatch(/^REGRESSION/m);
    expect(same.stdout).toMatch(/^PASS/m);
    expect(same.status).toBe(0);
  });

  it("llama-bench JSON with a summary only (no samples): refused in one line, exit 7", () => {
    for (const name of ["lb-sum-a", "lb-sum-b"]) mkdirSync(join(TMP, name));
    const side = (name: string) => fake(join(TMP, name), "--llama-bench 40 --fail summary");
    const r = runCli(["ab", "--a-cmd", side("lb-sum-a"), "--b-cmd", side("lb-sum-b"), ...BLOCKS]);
    expect(r.status).toBe(7);
    expect(r.stderr.trim().split("\n").at(-1)).toMatch(
      /^perf-baseline: side A, block 1: its llama-bench output keeps a summary of tokens_per_second only: an A\/B block needs per-run figures \(samples\)$/,
    );
  });

  it("reads an output file (--b-output) and decides the metric asked for (--metric)", () => {
    const a = writeRuns("a3", 1);
    const b = writeRuns("b3", 0.75);
    const r = runCli([
      "ab",
      "--a-cmd",
      fake(a),
      "--b-cmd",
      fake(b, "--output out.json"),
      "--b-output",
      "out.json",
      "--b-cwd",
      b,
      "--metric",
      "tokens_per_second",
      ...BLOCKS,
    ]);
    expect(r.stdout).toMatch(/^generation A\/B: tokens_per_second/);
    expect(r.status).toBe(1);
  });

  it("an output of several tests: each decided on its own (--test picks), the verdicts joined", () => {
    const a = writeFakeMultiTestRuns(join(TMP, "multi-a"), { pp512: 1, tg128: 1 });
    const b = writeFakeMultiTestRuns(join(TMP, "multi-b"), { pp512: 1, tg128: 0.75 });
    const both = runCli(["ab", "--a-cmd", fake(a), "--b-cmd", fake(b), ...BLOCKS]);
    expect(both.stdout).toMatch(/^A: .* \[test pp512\]$/m);
    expect(both.stdout.match(/^(PASS|REGRESSION): /gm)).toEqual(["PASS: ", "REGRESSION: "]);
    expect(both.status).toBe(1);
    const one = runCli(["ab", "--a-cmd", fake(a), "--b-cmd", fake(b), "--test", "pp512", ...BLOCKS]);
    expect(one.stdout).not.toMatch(/tg128/);
    expect(one.status).toBe(0);
  });

  it.each([
    [
      "exit",
      /^perf-baseline: side B, block 1: exited with code 3 \(its stderr ends: fake-bench-command: the benchmark failed on purpose\)$/,
    ],
    ["nothing", /^perf-baseline: side B, block 1: printed nothing \(expected a result\)$/],
    [
      "garbage",
      /^perf-baseline: side B, block 1: not a results file of any known format \(not JSON, JSON Lines or CSV; tried perf-baseline, .*\)$/,
    ],
    [
      "llama-bench",
      /^perf-baseline: side B, block 1: prints llama-bench, side A prints perf-baseline: both sides must print the same format$/,
    ],
  ])("a side that fails (%s): one line naming the side and run, exit 7", (kind, line) => {
    const r = runCli([
      "ab",
      "--a-cmd",
      fake(writeRuns(`a-${kind}`, 1)),
      "--b-cmd",
      fake(writeRuns(`b-${kind}`, 1), `--fail ${kind}`),
      ...BLOCKS,
    ]);
    expect(r.status).toBe(7);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines[lines.length - 1]).toMatch(line);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a side that fails later names its block", () => {
    const b = writeRuns("b-late", 1);
    const r = runCli([
      "ab",
      "--a-cmd",
      fake(writeRuns("a-late", 1)),
      "--b-cmd",
      fake(b, "--fail exit --fail-at 3"),
      ...BLOCKS,
    ]);
    expect(r.status).toBe(7);
    expect(r.stderr).toMatch(/perf-baseline: side B, block 3: exited with code 3/);
  });

  it("a side past --run-timeout is killed with the processes it started: one line", async () => {
    const b = writeRuns("b-hang", 1);
    const t0 = Date.now();
    const r = runCli([
      "ab",
      "--a-cmd",
      fake(writeRuns("a-hang", 1)),
      "--b-cmd",
      fake(b, "--fail hang"),
      "--run-timeout",
      "2",
      ...BLOCKS,
    ]);
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(r.status).toBe(7);
    expect(r.stderr).toMatch(
      /perf-baseline: side B, block 1: did not finish within 2 s \(--run-timeout\): it was killed\n$/,
    );
    const pid = Number(readFileSync(join(b, "hang-child.pid"), "utf8"));
    expect(await goneWithin(pid, 5000)).toBe(true);
  });

  it("bad flags: one line, exit 2", () => {
    const a = writeRuns("a-flags", 1);
    const cases: [string[], RegExp][] = [
      [["--a-cmd", fake(a)], /ab needs both commands/],
      [
        ["--a-cmd", `${fake(a)} | cat`, "--b-cmd", fake(a)],
        /--a-cmd: shell syntax .* needs a shell: write sh -c/,
      ],
      [
        ["--a-cmd", fake(a), "--b-cmd", fake(a), "--rounds", "3"],
        /--rounds cannot be used here: a command side runs its own workload/,
      ],
      [
        ["--a-cmd", fake(a), "--b-cmd", fake(a), "--a-env", "NOEQUALS"],
        /--a-env "NOEQUALS": expected NAME=VALUE/,
      ],
      [["--a-cmd", fake(a), "--b-cmd", fake(a), "--b-cwd", join(TMP, "missing")], /--b-cwd .*: not a folder/],
      [["--a", "--threads 1", "--a-cmd", fake(a), "--b-cmd", fake(a)], /--a cannot be used here/],
    ];
    for (const [args, pattern] of cases) {
      const r = runCli(["ab", ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    }
  });
});

describe("readCommandOutput", () => {
  it("reads one result document, or JSON Lines of several (their tests), through the importers", () => {
    const a = writeRuns("read", 1, 1, "tg128");
    const text = readFileSync(join(a, "0.json"), "utf8");
    const one = readCommandOutput(text, "side A, block 1");
    expect(one.format).toBe("perf-baseline");
    expect(one.results[0]?.result?.test).toBe("tg128");
    const line = JSON.stringify(JSON.parse(text));
    const two = readCommandOutput(`${line}\n${line.replace('"tg128"', '"pp512"')}\n`, "side A, block 1");
    expect(two.format).toBe("perf-baseline");
    expect(two.results.map((r) => r.test)).toEqual(["tg128", "pp512"]);
    const lb = readFileSync(join(ROOT, "test/fixtures/import/llama-bench/readme.json"), "utf8");
    const read = readCommandOutput(lb, "side A, block 1");
    expect(read.format).toBe("llama-bench");
    expect(read.results.map((r) => r.test)).toEqual(["pp512", "tg128"]);
    expect(read.results[1]?.metrics[0]?.samples).toHaveLength(5);
    expect(existsSync(a)).toBe(true);
  });
});
