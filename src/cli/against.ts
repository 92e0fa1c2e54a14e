/**
 * `--against REF` (`ab` and `check-release`): the wall-time verdict of the working tree against a git revision,
 * from an interleaved A/B on the same machine (the one wall-time verdict a fresh CI virtual machine can give).
 *
 * REF is checked out into a temporary git worktree (`git worktree add --detach`), installed, and the same
 * benchmark command runs in both trees in ABBA blocks (src/cli/ab-commands.ts): side A is REF, side B the
 * working tree (uncommitted changes included). Install: `--setup CMD` when given; else, for a Node project,
 * REF's node_modules is a symbolic link to the working tree's when the two package-lock.json files are the same
 * bytes, `npm ci --prefer-offline` otherwise. The worktree is removed afterwards, also on an error, Ctrl-C
 * (the runs are interrupted, then the finally clause removes it) or a second Ctrl-C (this process's exit hook).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { FoundConfig } from "../config/find-config.js";
import type { GateConfig } from "../config/gate-config.js";
import { type RunShape, shapeFromFlags } from "../engines/definition.js";
import type { AbReport } from "../gate/ab-report.js";
import { combineVerdicts, type VerdictPart } from "../gate/combine.js";
import type { GateMetricName } from "../gate/metrics.js";
import type { AbBudget } from "../gate/paired.js";
import { EvidenceFolder } from "../report/evidence/folder.js";
import { getFormat } from "../report/registry.js";
import { EngineError, UsageError } from "../util/errors.js";
import type { FlagTable, FlagValues } from "../util/flags.js";
import type { Mode } from "../workload/workload.js";
import { AB_DEFAULTS, type CommandSide, RUN_TIMEOUT_S, runCommandAb, splitCommand } from "./ab-commands.js";
import { countsVerdict } from "./check-release-counts.js";
import { capturePlanFor, readBaseline, thisCommand } from "./gate-support.js";
import { shellQuote } from "./invocation.js";
import { status } from "./progress.js";

/** The longest a git command or the install (`npm ci`, `--setup`) may take, seconds. */
export const AGAINST_TIMEOUT_S = { git: 120, setup: 1800 } as const;

/** The flags of `--against`, shared by `ab` and `check-release`. */
export const AGAINST_FLAGS: FlagTable = {
  against: {
    kind: "string",
    description:
      "a git revision (branch, tag, commit) to run as side A against the working tree as side B, each in its own tree",
  },
  "bench-cmd": {
    kind: "string",
    takesFlags: true,
    description:
      "with --against: the benchmark command run in both trees (no shell; sh -c '...' for one); it prints a result",
    default: "this project's bench: node bin/perf-baseline.js bench --mode M --rounds R --warmup W ...",
  },
  setup: {
    kind: "string",
    takesFlags: true,
    description: `with --against: installs REF's tree (run there, up to ${AGAINST_TIMEOUT_S.setup} s)`,
    default: "a Node project: node_modules linked when the lock files match, else npm ci --prefer-offline",
  },
};

/** What `--bench-cmd` and `--setup` say. */
export interface AgainstFlags {
  benchCmd?: string;
  setup?: string;
}

/** The --against flags' values. */
export function againstFlags(values: FlagValues): AgainstFlags {
  const get = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : undefined);
  const benchCmd = get("bench-cmd");
  const setup = get("setup");
  if (get("against") === undefined && (benchCmd !== undefined || setup !== undefined))
    throw new UsageError(
      `--${benchCmd !== undefined ? "bench-cmd" : "setup"} applies only with --against REF`,
    );
  return { ...(benchCmd !== undefined ? { benchCmd } : {}), ...(setup !== undefined ? { setup } : {}) };
}

/** Runs git in `cwd`; its stdout trimmed. @throws UsageError with git's last line. */
function git(cwd: string, args: readonly string[], what: string): string {
  try {
    return execFileSync("git", args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: AGAINST_TIMEOUT_S.git * 1000,
    }).trim();
  } catch (err) {
    const said = String((err as { stderr?: string }).stderr ?? (err as Error).message)
      .trim()
      .split("\n")
      .pop();
    throw new UsageError(`--against: ${what} (git: ${said})`);
  }
}

/** The checkout of REF in a temporary folder. */
export interface RefTree {
  /** the repository's top folder (the working tree, side B) */
  root: string;
  /** REF's tree (side A) */
  tree: string;
  /** the commit REF named */
  commit: string;
}

/** Removes REF's tree and its temporary folder; never throws (best effort, also from the exit hook). */
function removeTree(root: string, tmp: string, tree: string): void {
  spawnSync("git", ["worktree", "remove", "--force", tree], { cwd: root, stdio: "ignore", timeout: 60_000 });
  rmSync(tmp, { recursive: true, force: true });
  spawnSync("git", ["worktree", "prune"], { cwd: root, stdio: "ignore", timeout: 60_000 });
}

/** Installs REF's tree: --setup, else a Node project's node_modules (linked or `npm ci`), else nothing. */
function install(t: RefTree, setup: string | undefined): void {
  const run = (argv: string[], what: string) => {
    status(`--against: ${what} in ${t.tree}: ${argv.map(shellQuote).join(" ")}`);
    const r = spawnSync(argv[0] as string, argv.slice(1), {
      cwd: t.tree,
      stdio: ["ignore", 2, 2],
      timeout: AGAINST_TIMEOUT_S.setup * 1000,
    });
    if (r.error || r.status !== 0)
      throw new EngineError(
        `--against: ${what} of ${t.commit.slice(0, 12)} failed (${r.error ? (r.error as NodeJS.ErrnoException).code : r.signal ? `killed by ${r.signal}` : `exit code ${r.status}`})`,
      );
  };
  if (setup !== undefined) {
    run(splitCommand("--setup", setup), "setup");
    return;
  }
  if (!existsSync(join(t.tree, "package.json"))) return;
  const lock = (dir: string) => {
    const p = join(dir, "package-lock.json");
    return existsSync(p) ? readFileSync(p) : null;
  };
  const mine = lock(t.root);
  const theirs = lock(t.tree);
  if (mine && theirs && mine.equals(theirs) && existsSync(join(t.root, "node_modules"))) {
    symlinkSync(join(t.root, "node_modules"), join(t.tree, "node_modules"), "dir");
    status("--against: the lock files are the same: node_modules linked to the working tree's");
    return;
  }
  run(["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund"], "npm ci");
}

/**
 * Checks REF out into a temporary worktree, installs it, runs `fn` with it and removes it whatever happens.
 * @throws UsageError outside a git repository or for a REF that names no commit; EngineError when the install
 *   fails; whatever `fn` throws.
 */
export async function withRefTree<T>(ref: string, setup: string | undefined, fn: (t: RefTree) => Promise<T>) {
  const root = git(process.cwd(), ["rev-parse", "--show-toplevel"], "not inside a git repository");
  const commit = git(
    root,
    ["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`],
    `${ref} is not a commit here`,
  );
  const tmp = mkdtempSync(join(tmpdir(), "perf-baseline-against-"));
  const tree = join(tmp, "tree");
  const onExit = () => removeTree(root, tmp, tree);
  process.on("exit", onExit);
  try {
    git(root, ["worktree", "add", "--detach", tree, commit], `cannot check ${ref} out`);
    status(`--against: ${ref} (${commit.slice(0, 12)}) checked out in ${tree}`);
    const t = { root, tree, commit };
    install(t, setup);
    return await fn(t);
  } finally {
    process.removeListener("exit", onExit);
    removeTree(root, tmp, tree);
  }
}

/**
 * This project's own benchmark, with flags every revision of its `bench` accepts: mode, rounds, warmup and,
 * for generation, new tokens (the result on stdout).
 */
export function defaultBenchArgv(shape: RunShape): string[] {
  return [
    "node",
    "bin/perf-baseline.js",
    "bench",
    "--mode",
    shape.mode,
    "--rounds",
    String(shape.rounds),
    "--warmup",
    String(shape.warmup),
    ...(shape.mode === "generation" ? ["--max-new-tokens", String(shape.maxNewTokens)] : []),
  ];
}

/** Whether a tree is this project (its package.json's name), so that the default bench command applies. */
function isThisProject(tree: string): boolean {
  try {
    return JSON.parse(readFileSync(join(tree, "package.json"), "utf8")).name === "perf-baseline";
  } catch {
    return false;
  }
}

/** The two sides of an --against run: REF's tree (A) and the working tree (B), the same command in each. */
export function againstSides(t: RefTree, benchCmd: string | undefined, shape: RunShape) {
  if (benchCmd === undefined && !isThisProject(t.tree))
    throw new UsageError(
      "--against: give the benchmark command with --bench-cmd CMD (this is not perf-baseline)",
    );
  const argv = benchCmd === undefined ? defaultBenchArgv(shape) : splitCommand("--bench-cmd", benchCmd);
  const spec = argv.map(shellQuote).join(" ");
  const here = relative(t.root, process.cwd());
  const side = (label: "A" | "B", cwd: string, what: string): CommandSide => ({
    label,
    spec: `${what}: ${spec}`,
    argv,
    cwd: join(cwd, here),
    env: {},
    output: null,
  });
  return { a: side("A", t.tree, `${t.commit.slice(0, 12)}`), b: side("B", t.root, "working tree") };
}

/** What an --against A/B decides with. */
export interface AgainstOptions {
  config: GateConfig;
  budget: AbBudget;
  timeout_s: number;
  metrics: readonly GateMetricName[];
  tests: readonly string[];
  /** the default bench command's shape */
  shape: RunShape;
}

/**
 * `ab --against REF`: the benchmark command in REF's tree (A) and the working tree (B), interleaved.
 * @returns one report per test and metric (src/cli/ab-commands.ts).
 */
export function runAgainstAb(ref: string, flags: AgainstFlags, opts: AgainstOptions): Promise<AbReport[]> {
  return withRefTree(ref, flags.setup, (t) =>
    runCommandAb({
      sides: againstSides(t, flags.benchCmd, opts.shape),
      config: opts.config,
      budget: opts.budget,
      timeout_s: opts.timeout_s,
      metrics: opts.metrics,
      tests: opts.tests,
    }),
  );
}

/** The flags of check-release that --against uses (the default bench command takes the shape flags). */
const RELEASE_AGAINST_FLAGS = [
  "against",
  "bench-cmd",
  "setup",
  "evidence-dir",
  "mode",
  "config",
  "rounds",
  "warmup",
  "max-new-tokens",
];

/** What check-release hands to {@link checkReleaseAgainst}. */
export interface CheckReleaseAgainstInput {
  found: FoundConfig;
  modes: readonly Mode[];
  /** the evidence folder (checked: new or empty) */
  dir: string;
  /** check-release's own flag names (not capture flags) */
  ownFlags: readonly string[];
}

/** One mode's run shape for the default bench command: check-release's shape flags, else ab's defaults. */
function releaseShape(values: FlagValues, mode: Mode): RunShape {
  return shapeFromFlags(values, mode, {
    rounds: AB_DEFAULTS.rounds,
    warmup: AB_DEFAULTS.warmup,
    maxNewTokens: AB_DEFAULTS.max_new_tokens,
  });
}

/** The instruction verdict of a mode against its committed baseline, where there is one to read. */
async function releaseCounts(values: FlagValues, input: CheckReleaseAgainstInput, mode: Mode) {
  const { config } = input.found;
  const path = config.baselines[mode];
  if (!existsSync(path)) return `${mode} instructions: skipped (no baseline at ${path})`;
  const baseline = readBaseline(path, mode);
  const { engine, plan } = capturePlanFor(baseline, values, input.ownFlags);
  return (await countsVerdict(baseline, engine, plan, config)).text;
}

/**
 * `check-release --against REF`: the wall-time verdict of each mode from an interleaved A/B of REF's tree and
 * the working tree (`--bench-cmd`: one A/B of that command instead), the instruction verdicts against the
 * committed baselines where valgrind is present; the reports on stdout, and report.md (also appended to
 * $GITHUB_STEP_SUMMARY), verdicts.json and commands.txt in the evidence folder.
 * @returns the overall exit code (src/gate/combine.ts).
 */
export async function checkReleaseAgainst(
  values: FlagValues,
  input: CheckReleaseAgainstInput,
): Promise<number> {
  const ref = values.against as string;
  const unused = Object.keys(values).find(
    (k) => values[k] !== undefined && !RELEASE_AGAINST_FLAGS.includes(k),
  );
  if (unused !== undefined)
    throw new UsageError(
      `--${unused} cannot be used with --against: give the benchmark's flags inside --bench-cmd CMD`,
    );
  const flags = againstFlags(values);
  const { config } = input.found;
  const opts = (mode: Mode): AgainstOptions => ({
    config,
    budget: {
      min_blocks: AB_DEFAULTS.min_blocks,
      max_blocks: AB_DEFAULTS.max_blocks,
      max_seconds: AB_DEFAULTS.max_seconds,
    },
    timeout_s: RUN_TIMEOUT_S.default,
    metrics: [],
    tests: [],
    shape: releaseShape(values, mode),
  });
  const reports = await withRefTree(ref, flags.setup, async (t) => {
    const out: AbReport[] = [];
    const modes = flags.benchCmd === undefined ? input.modes : (input.modes.slice(0, 1) as Mode[]);
    for (const mode of modes) {
      const o = opts(mode);
      const sides = againstSides(t, flags.benchCmd, o.shape);
      out.push(...(await runCommandAb({ ...o, sides })));
    }
    return out;
  });
  const text = getFormat("text");
  for (const report of reports) process.stdout.write(`${text.render({ kind: "ab", report })}\n`);
  const counts: string[] = [];
  for (const mode of input.modes) counts.push(await releaseCounts(values, input, mode));
  for (const c of counts) process.stdout.write(`${c}\n`);
  return writeAgainstEvidence(input.dir, ref, reports, counts);
}

/** The evidence folder of an --against check and the overall verdict's exit code. */
function writeAgainstEvidence(
  dir: string,
  ref: string,
  reports: readonly AbReport[],
  counts: readonly string[],
) {
  const parts = reports.map((r): VerdictPart => ({ kind: "time", mode: r.mode, verdict: r.verdict }));
  const overall = combineVerdicts(parts);
  const md = [
    `## check-release against ${ref}: ${overall.verdict}`,
    "",
    ...reports.map((report) => getFormat("markdown").render({ kind: "ab", report })),
    "```",
    ...counts,
    "```",
    "",
  ].join("\n");
  const folder = EvidenceFolder.stage(dir);
  try {
    folder.write("report.md", md);
    folder.write("verdicts.json", `${JSON.stringify({ against: ref, overall, ab: reports }, null, 2)}\n`);
    folder.write("commands.txt", `${thisCommand()}\n`);
    folder.publish();
  } finally {
    folder.discard();
  }
  const summary = process.env.GITHUB_STEP_SUMMARY;
  if (summary) {
    try {
      appendFileSync(summary, md);
    } catch (err) {
      status(`cannot append to GITHUB_STEP_SUMMARY (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
  }
  process.stdout.write(
    `evidence in ${dir} (report.md, verdicts.json, commands.txt)\n${overall.verdict}: exit code ${overall.exit_code}\n`,
  );
  return overall.exit_code;
}

/**
 * Whether `--against` was given.
 * @throws UsageError for --bench-cmd or --setup without it.
 */
export function againstAsked(values: FlagValues): boolean {
  againstFlags(values);
  return typeof values.against === "string";
}
