/**
 * Provenance that disappears: in a checkout git refuses to read ("detected dubious ownership", a clone owned
 * by another user), a result used to record no commit and say nothing, and the gate then blamed a shallow
 * clone. Now the result says why once (a `git_unavailable` warning with git's reason) and the staleness
 * check repeats git's reason. The refusal is made for real: a temporary repository chown-ed to another uid,
 * read as root (skipped, with the reason, where the tests do not run as root).
 */

import { spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import { changedPathsSince, gitProvenance } from "../../src/environment/git.js";
import { checkStaleness } from "../../src/gate/staleness.js";
import { parseResult } from "../../src/results/io.js";
import { runCli } from "../support/cli.js";
import { sayWhySkipped } from "../support/skips.js";

const isRoot = process.getuid?.() === 0;
const OTHER_UID = 54321;

function git(args: string[], cwd: string): string {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

function chownTree(dir: string): void {
  const r = spawnSync("chown", ["-R", `${OTHER_UID}:${OTHER_UID}`, dir]);
  if (r.status !== 0) chownSync(dir, OTHER_UID, OTHER_UID);
}

sayWhySkipped(!isRoot, "a repository git refuses to read", "not root: chown to another uid needs root");

describe.skipIf(!isRoot)("a repository git refuses to read (needs root to chown it to another uid)", () => {
  let dir = "";
  let head = "";
  // a HOME without a safe.directory exception, whatever the machine's global configuration says
  const env = { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
  const saved = { global: process.env.GIT_CONFIG_GLOBAL, nosystem: process.env.GIT_CONFIG_NOSYSTEM };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pb-dubious-"));
    git(["init", "-q"], dir);
    writeFileSync(join(dir, "core.c"), "int x;\n");
    git(["add", "."], dir);
    git(["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one"], dir);
    head = git(["rev-parse", "HEAD"], dir);
    chownTree(dir);
    Object.assign(process.env, env);
  });
  afterAll(() => {
    for (const [k, v] of [
      ["GIT_CONFIG_GLOBAL", saved.global],
      ["GIT_CONFIG_NOSYSTEM", saved.nosystem],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("gitProvenance gives no commit and git's reason", () => {
    const p = gitProvenance(dir);
    expect(p.git).toBeNull();
    expect(p.unavailable).toMatch(/dubious ownership/);
    expect(p.unavailable).not.toMatch(/\n/);
  });

  it("the staleness check repeats git's reason, not a shallow clone", () => {
    const fixture = join(import.meta.dirname, "..", "fixtures", "result-generation.json");
    const base = parseResult(JSON.parse(readFileSync(fixture, "utf8")), fixture);
    const baseline = { ...base, git: { commit: head, dirty: false } };
    const config = defaultGateConfig();
    const stale = checkStaleness(baseline, [], config, (c, p) => changedPathsSince(c, p, dir));
    const text = stale.unchecked.join("\n");
    expect(text).toMatch(/git cannot read this repository \(detected dubious ownership/);
    expect(text).not.toMatch(/shallow clone/);
    expect(stale.unchecked).toHaveLength(1);
  });

  it("bench in that checkout records why it has no commit, once, and prints it once", () => {
    const run = runCli(["bench", "--mode", "embedding", "--rounds", "1", "--warmup", "0"], { cwd: dir, env });
    expect(run.status).toBe(0);
    const r = parseResult(JSON.parse(run.stdout), "stdout");
    expect(r.git).toBeNull();
    const ws = r.warnings.filter((w) => w.code === "git_unavailable");
    expect(ws).toHaveLength(1);
    expect(String(ws[0]?.reason)).toMatch(/dubious ownership/);
    expect(run.stderr.match(/no git commit recorded/g) ?? []).toHaveLength(1);
  });
});
