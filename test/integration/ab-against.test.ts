/**
 * `ab --against REF` and `check-release --against REF` in a temporary git repository with two commits: the
 * benchmark command is the FAKE one (test/support/fake-bench-command.mjs) printing the results committed in
 * each revision, so the verdict is decided on set samples. The temporary worktree is gone afterwards, also
 * when a side fails.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runCli } from "../support/cli.js";
import { FAKE_BENCH_COMMAND, writeFakeRuns } from "../support/fake-bench-runs.js";

const TMP = mkdtempSync(join(tmpdir(), "pb-ab-against-"));
const REPO = join(TMP, "repo");
const BENCH = `${process.execPath} ${FAKE_BENCH_COMMAND} --dir runs`;
const BLOCKS = ["--min-blocks", "8", "--max-blocks", "8"];

function git(...args: string[]): string {
  return execFileSync("git", args, { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

beforeAll(() => {
  writeFakeRuns(join(REPO, "runs"), 1);
  git("init", "-q");
  git("-c", "user.name=t", "-c", "user.email=t@example.com", "add", "runs");
  git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base");
  writeFakeRuns(join(REPO, "runs"), 0.75); // the candidate revision: 25 % slower
  git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "slower");
});
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** The temporary tree a run named on stderr, and whether git still lists a second worktree. */
function leftBehind(stderr: string): { tree: string | null; worktrees: number } {
  const tree = /checked out in (\S+)/.exec(stderr)?.[1] ?? null;
  return {
    tree: tree && existsSync(tree) ? tree : null,
    worktrees: git("worktree", "list").trim().split("\n").length,
  };
}

describe("--against REF on a temporary git repository", () => {
  it("ab --against the base revision: a 25 % slower working tree is a REGRESSION; the worktree is removed", () => {
    const r = runCli(["ab", "--against", "HEAD~1", "--bench-cmd", BENCH, ...BLOCKS], { cwd: REPO });
    expect(r.stdout).toMatch(/^REGRESSION: 8 blocks: B\/A ratio 0\.7/m);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--against: HEAD~1 \([0-9a-f]{12}\) checked out in /);
    expect(leftBehind(r.stderr)).toEqual({ tree: null, worktrees: 1 });
  });

  it("ab --against the same revision: PASS", () => {
    const r = runCli(["ab", "--against", "HEAD", "--bench-cmd", BENCH, ...BLOCKS], { cwd: REPO });
    expect(r.stdout).toMatch(/^PASS/m);
    expect(r.status).toBe(0);
  });

  it("check-release --against: the A/B's verdict, with an evidence folder", () => {
    const ev = join(TMP, "evidence");
    const r = runCli(["check-release", "--against", "HEAD~1", "--bench-cmd", BENCH, "--evidence-dir", ev], {
      cwd: REPO,
    });
    expect(r.stdout).toMatch(/REGRESSION: exit code 1\n$/);
    expect(r.status).toBe(1);
    expect(readFileSync(join(ev, "report.md"), "utf8")).toMatch(
      /^## check-release against HEAD~1: REGRESSION/,
    );
    expect(JSON.parse(readFileSync(join(ev, "verdicts.json"), "utf8")).overall.exit_code).toBe(1);
    expect(leftBehind(r.stderr).worktrees).toBe(1);
  });

  it("a side that fails: one line, exit 7, and the worktree is still removed", () => {
    const r = runCli(["ab", "--against", "HEAD~1", "--bench-cmd", `${BENCH} --fail exit`, ...BLOCKS], {
      cwd: REPO,
    });
    expect(r.status).toBe(7);
    expect(r.stderr).toMatch(/perf-baseline: side A, block 1: exited with code 3/);
    expect(leftBehind(r.stderr)).toEqual({ tree: null, worktrees: 1 });
  });

  it("Ctrl-C during a run: the run's processes are killed, the worktree removed, exit 130", async () => {
    const child = spawn(
      process.execPath,
      [
        join(ROOT, "bin", "perf-baseline.js"),
        "ab",
        "--against",
        "HEAD~1",
        "--bench-cmd",
        `${BENCH} --fail hang`,
      ],
      { cwd: REPO, env: { ...process.env, CI: "true" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      if (d.includes("side A, block 1:")) setTimeout(() => child.kill("SIGINT"), 1000);
    });
    const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const status = await new Promise<number | null>((done) => child.on("close", (code) => done(code)));
    clearTimeout(killer);
    expect(status).toBe(130);
    expect(leftBehind(stderr)).toEqual({ tree: null, worktrees: 1 });
  });

  it("a revision that names no commit, a flag --against would ignore: one line, exit 2", () => {
    const r = runCli(["ab", "--against", "no-such-ref", "--bench-cmd", BENCH], { cwd: REPO });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^perf-baseline: --against: no-such-ref is not a commit here \(git: .*\)\n$/);
    const ignored = runCli(["check-release", "--against", "HEAD", "--threads", "2"], { cwd: REPO });
    expect(ignored.status).toBe(2);
    expect(ignored.stderr).toBe(
      "perf-baseline: --threads cannot be used with --against: give the benchmark's flags inside --bench-cmd CMD\n",
    );
  });
});
