/**
 * The CI workflow cannot run here, so its text is checked: every command its steps run exists (a
 * `perf-baseline` command and each of its flags, a make target, an allowed outside tool), the hosted A/B job
 * uses `--against`, and .ci/hosted-steps.sh runs the same perf-baseline command as that job. A line scan of
 * the YAML (the `run:` values; no YAML library is a dependency), enough for this file's plain style.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultBenchArgv } from "../../src/cli/against.js";
import { commandNames, loadCommand } from "../../src/cli/main.js";
import { ROOT } from "../support/cli.js";

const WORKFLOW = readFileSync(join(ROOT, ".github", "workflows", "ci.yml"), "utf8");
const HOSTED_STEPS = readFileSync(join(ROOT, ".ci", "hosted-steps.sh"), "utf8");
const MAKEFILE = readFileSync(join(ROOT, "Makefile"), "utf8");

/** Tools outside the repository a step may call. */
const OUTSIDE_TOOLS = ["npm", "sudo", "gh"];

/** The `run:` values of the workflow's steps (one line each in this file), with the job they belong to. */
function runLines(yaml: string): { job: string; run: string }[] {
  const out: { job: string; run: string }[] = [];
  let job = "";
  for (const line of yaml.split("\n")) {
    const j = /^ {2}([\w-]+):\s*$/.exec(line);
    if (j) job = j[1] as string;
    const r = /^\s+(?:- )?run:\s*(.+)$/.exec(line);
    if (r) out.push({ job, run: (r[1] as string).trim() });
  }
  return out;
}

/** The words of a shell command (quotes dropped; enough for these lines). */
function words(command: string): string[] {
  return (command.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^["']|["']$/g, ""));
}

/** The problems of one command: an unknown perf-baseline command or flag, make target or tool. */
async function problemsOf(command: string): Promise<string[]> {
  const w = words(command);
  if (w[0] === "node" && w[1] === "bin/perf-baseline.js") {
    const name = w[2] as string;
    if (!commandNames().includes(name)) return [`unknown command ${name}`];
    const flags = (await loadCommand(name)).flags;
    return w
      .slice(3)
      .filter((x) => x.startsWith("--"))
      .map((x) => x.slice(2).split("=")[0] as string)
      .filter((f) => !(f in flags))
      .map((f) => `${name}: unknown flag --${f}`);
  }
  if (w[0] === "make") {
    const target = w[1] as string;
    return new RegExp(`^${target}:`, "m").test(MAKEFILE) ? [] : [`no make target ${target}`];
  }
  return OUTSIDE_TOOLS.includes(w[0] as string) ? [] : [`unexpected tool ${w[0]}`];
}

describe(".github/workflows/ci.yml", () => {
  const runs = runLines(WORKFLOW);

  it("names only commands, flags and make targets that exist", async () => {
    expect(runs.length).toBeGreaterThanOrEqual(5);
    const problems: string[] = [];
    for (const { run } of runs)
      for (const command of run.split("&&")) problems.push(...(await problemsOf(command.trim())));
    expect(problems).toEqual([]);
  });

  it("gates a pull request on a hosted runner with --against the base branch, and comments its report", () => {
    const ab = runs.filter((r) => r.job === "perf-ab").map((r) => r.run);
    expect(ab).toContain(
      'node bin/perf-baseline.js check-release --against "origin/$BASE_REF" --evidence-dir evidence/ci',
    );
    expect(ab.some((r) => r.startsWith("gh pr comment") && r.includes("evidence/ci/report.md"))).toBe(true);
    expect(WORKFLOW).toMatch(/head\.repo\.full_name == github\.repository/);
  });

  it(".ci/hosted-steps.sh runs the hosted job's perf-baseline command with the same flags", () => {
    const flagsOf = (line: string) => words(line).filter((x) => x.startsWith("--"));
    const job = runs.find((r) => r.job === "perf-ab" && r.run.includes("bin/perf-baseline.js"))?.run ?? "";
    const script = HOSTED_STEPS.split("\n").find((l) => l.startsWith("node bin/perf-baseline.js")) ?? "";
    expect(words(script).slice(0, 3)).toEqual(words(job).slice(0, 3));
    expect(flagsOf(script)).toEqual(flagsOf(job));
  });
});

describe("--against's default benchmark command", () => {
  it("names only flags this revision's bench takes", async () => {
    for (const mode of ["generation", "embedding"] as const) {
      const argv = defaultBenchArgv({ mode, rounds: 5, warmup: 1, maxNewTokens: 32 });
      expect(argv.slice(0, 3)).toEqual(["node", "bin/perf-baseline.js", "bench"]);
      expect(await problemsOf(argv.join(" "))).toEqual([]);
    }
  });
});
