/**
 * The golden verdicts of issue 18 ("Keep behaviour"): what `compare`, `gate` and the `ab` analysis decide on
 * every ordered pair of the fixture results and committed baselines (a file against itself included), and the
 * digests of each input as read. Computed here; written to test/golden/verdicts.json by
 * tools/write-golden-verdicts.ts and checked by test/integration/golden-verdicts.test.ts.
 *
 * - compare and gate run through the CLI, by their command lines, in child processes, so that the record
 *   survives moves inside src/. Per pair: exit code, stdout and stderr lines, and the JSON report
 *   (`--report json=PATH`) with every figure at full precision. The bootstrap is seeded by the configuration
 *   (perf-baseline.config.json, read by default as a user's run reads it), so all of it is deterministic,
 *   except what is stripped (see {@link stripVarying}). The 200 commands run in a few batch children
 *   (test/golden/cli-batch.ts, one start each); `--separate-processes` on the writer runs each as
 *   `node bin/perf-baseline.js ...` of its own, which gives the same record (the test checks a sample).
 * - The ab analysis runs engines, so it is computed in this process from blocks cut out of fixture pairs of one
 *   mode, through test/support/golden-adapter.ts (the one file to change when those modules move).
 */
import { spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  type AbBlock,
  type AbOutcome,
  abReport,
  analyzePaired,
  type BenchmarkResult,
  blockOf,
  digestsOf,
  type GateConfig,
  type InputDigests,
  pairedVerdict,
  readConfigFile,
  readResult,
  renderAbText,
  withRounds,
} from "../support/golden-adapter.js";

/** The repository root. */
export const ROOT = join(import.meta.dirname, "..", "..");

/** The golden file, relative to the root. */
export const GOLDEN_FILE = "test/golden/verdicts.json";

/**
 * The inputs, relative to the root: the result files in test/fixtures/ (the top folder, gate/ and v1/) and the
 * committed baselines, as of main 7889e89. A fixed list, so that a fixture added later does not change the
 * golden file; a fixture removed or made unreadable does fail the test, as it should.
 */
export const INPUTS: readonly string[] = [
  "docs/baseline-embedding.json",
  "docs/baseline-generation.json",
  "test/fixtures/gate/embedding-a.json",
  "test/fixtures/gate/embedding-b.json",
  "test/fixtures/gate/generation-a.json",
  "test/fixtures/gate/generation-b.json",
  "test/fixtures/result-embedding.json",
  "test/fixtures/result-generation.json",
  "test/fixtures/v1/baseline-embedding.json",
  "test/fixtures/v1/baseline-generation.json",
];

/** The configuration the CLI reads by default, given explicitly to the ab analysis too. */
const CONFIG_FILE = "perf-baseline.config.json";

/**
 * Where an input's content is read from: the committed baselines as they were at 7889e89 are kept in
 * test/golden/inputs/ (docs/ holds whatever baselines were captured since, on whatever host); the fixtures
 * are read where they are.
 */
export function inputFile(path: string): string {
  return path.startsWith("docs/") ? join(ROOT, "test", "golden", "inputs", path) : join(ROOT, path);
}

/**
 * A folder laid out as the repository for the CLI's children (cwd): every input at its path, and the
 * configuration, so that the commands name the inputs as before.
 */
function goldenRoot(tmp: string): string {
  const root = join(tmp, "root");
  for (const p of [...INPUTS, CONFIG_FILE]) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    copyFileSync(p === CONFIG_FILE ? join(ROOT, p) : inputFile(p), join(root, p));
  }
  return root;
}

/** Blocks cut from each fixture pair for the ab analysis (fewer when a side has fewer rounds). */
export const AB_BLOCKS = 8;

/** What one CLI command did on one pair. */
export interface CliVerdict {
  exit_code: number | null;
  /** the verdict of the JSON report, else the first verdict word at the start of a stdout line, else null */
  verdict: string | null;
  stdout: string[];
  stderr: string[];
  /** the JSON report (--report json=PATH) as written; null when the command wrote none (e.g. an error) */
  report: unknown;
}

/** The ab analysis of one pair: the report abReport builds and its text as `ab` prints it. */
export interface AbVerdict {
  verdict: string;
  exit_code: number;
  reasons: string[];
  report: unknown;
  text: string[];
}

/** The whole golden record. */
export interface GoldenVerdicts {
  about: string;
  inputs: Record<string, InputDigests>;
  compare: Record<string, Record<string, CliVerdict>>;
  gate: Record<string, Record<string, CliVerdict>>;
  ab: Record<string, Record<string, AbVerdict>>;
}

const VERDICT_LINE = /^(PASS|REGRESSION|INCONCLUSIVE|INCOMPARABLE)\b/m;

/**
 * Removes what legitimately varies between two runs of the same command on the same files, and only that:
 * - compare's status line "loaded N + M rounds in X s; analysis took Y s": the two durations (wall time of
 *   this machine at this moment) become "<s>"; the round counts stay;
 * - the temporary folder of the report files, should it appear in a message or a report, becomes "<tmp>" (it
 *   is a new folder on every run).
 * The gate's rebaseline path check (git: files changed under the core/tokenizer paths since the baseline's
 * commit) depends on the checkout, and issue 18 moves exactly those paths: the children run with git pointed at
 * no repository (GIT_DIR), so the check reports itself as not done, the same on every checkout. Nothing is
 * recorded to a history store (PERF_BASELINE_* variables are removed from the children's environment).
 */
export function stripVarying(text: string, tmp: string): string {
  return text
    .split(tmp)
    .join("<tmp>")
    .replace(
      /(loaded \d+ \+ \d+ rounds in )[0-9.]+( s; analysis took )[0-9.]+( s)/g,
      (_m, a: string, b: string, c: string) => `${a}<s>${b}<s>${c}`,
    );
}

function lines(text: string): string[] {
  const out = text.split("\n");
  if (out[out.length - 1] === "") out.pop();
  return out;
}

/** The children's environment: no history store, no progress or debug lines, git pointed at nothing. */
function childEnv(tmp: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("PERF_BASELINE_")) env[k] = v;
  env.CI = "true";
  env.GIT_DIR = join(tmp, "no-repository");
  return env;
}

/** One CLI command on one ordered pair: A the baseline, B the candidate. */
export interface CliJob {
  command: "compare" | "gate";
  a: string;
  b: string;
}

/** How the CLI commands are started: all in a few batch children, or one child process each. */
export type CliStarts = "batch" | "separate";

function argvOf(job: CliJob, reportPath: string): string[] {
  const report = ["--report", `json=${reportPath}`];
  return job.command === "compare"
    ? ["compare", job.a, job.b, ...report]
    : ["gate", "--baseline", job.a, "--candidate", job.b, ...report];
}

interface RawRun {
  exit_code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs node with `args` in the root; rejects when it is killed (by a signal or the timeout). */
function runNode(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, cwd: string): Promise<RawRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (signal !== null) reject(new Error(`node ${args.join(" ")}: killed by ${signal}\n${stderr}`));
      else resolve({ exit_code: code, stdout, stderr });
    });
  });
}

/** `node bin/perf-baseline.js ARGV`, a process of its own. */
function runSeparate(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<RawRun> {
  return runNode([join(ROOT, "bin", "perf-baseline.js"), ...argv], env, 120_000, cwd);
}

/** Many commands in one child process (test/golden/cli-batch.ts). */
async function runBatch(argvs: string[][], env: NodeJS.ProcessEnv, tmp: string, id: number) {
  const jobsFile = join(tmp, `batch-${id}-jobs.json`);
  const outFile = join(tmp, `batch-${id}-out.json`);
  writeFileSync(jobsFile, JSON.stringify(argvs));
  const script = join(ROOT, "test", "golden", "cli-batch.ts");
  // tsx as this package resolves it: the children run in a folder outside the repository
  const tsx = import.meta.resolve("tsx");
  const run = await runNode(["--import", tsx, script, jobsFile, outFile], env, 600_000, join(tmp, "root"));
  if (run.exit_code !== 0) throw new Error(`${script} exited with ${run.exit_code}:\n${run.stderr}`);
  return JSON.parse(readFileSync(outFile, "utf8")) as RawRun[];
}

/** What the golden file records of a run: its exit code, output lines (stripped) and JSON report. */
function verdictOf(run: RawRun, reportPath: string, tmp: string): CliVerdict {
  // the report too: git's reason for not reading a repository names the (temporary) folder
  const report: unknown = existsSync(reportPath)
    ? JSON.parse(stripVarying(readFileSync(reportPath, "utf8"), tmp))
    : null;
  const out = stripVarying(run.stdout, tmp);
  const fromReport = (report as { verdict?: unknown } | null)?.verdict;
  return {
    exit_code: run.exit_code,
    verdict: typeof fromReport === "string" ? fromReport : (VERDICT_LINE.exec(out)?.[1] ?? null),
    stdout: lines(out),
    stderr: lines(stripVarying(run.stderr, tmp)),
    report,
  };
}

/** Runs `jobs` with at most `width` at a time; results in the jobs' order. */
async function pool<T, R>(jobs: readonly T[], width: number, run: (job: T, i: number) => Promise<R>) {
  const results = new Array<R>(jobs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < jobs.length; i = next++) results[i] = await run(jobs[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  return results;
}

/** Child processes at once: one per core. */
export function defaultWidth(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Runs CLI jobs and returns what the golden file records of each, in the jobs' order.
 * @param starts "batch": `width` children share the jobs; "separate": one process per job, `width` at once.
 */
export async function runCliJobs(jobs: readonly CliJob[], starts: CliStarts, width = defaultWidth()) {
  const tmp = mkdtempSync(join(tmpdir(), "pb-golden-"));
  try {
    const env = childEnv(tmp);
    const root = goldenRoot(tmp);
    const reportPaths = jobs.map((_, i) => join(tmp, `report-${i}.json`));
    const argvs = jobs.map((job, i) => argvOf(job, reportPaths[i] as string));
    let runs: RawRun[];
    if (starts === "separate") {
      runs = await pool(argvs, width, (argv) => runSeparate(argv, env, root));
    } else {
      const shares = Array.from({ length: Math.min(width, jobs.length) }, (_, w) =>
        argvs.map((_a, i) => i).filter((i) => i % width === w),
      );
      const outs = await Promise.all(
        shares.map((share, w) =>
          runBatch(
            share.map((i) => argvs[i] as string[]),
            env,
            tmp,
            w,
          ),
        ),
      );
      runs = new Array<RawRun>(jobs.length);
      shares.forEach((share, w) => {
        share.forEach((i, k) => {
          runs[i] = outs[w]?.[k] as RawRun;
        });
      });
    }
    return runs.map((run, i) => verdictOf(run, reportPaths[i] as string, tmp));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** compare and gate on every ordered pair of {@link INPUTS}. */
export function allCliJobs(): CliJob[] {
  const jobs: CliJob[] = [];
  for (const command of ["compare", "gate"] as const)
    for (const a of INPUTS) for (const b of INPUTS) jobs.push({ command, a, b });
  return jobs;
}

async function cliVerdicts(starts: CliStarts, width: number) {
  const jobs = allCliJobs();
  const results = await runCliJobs(jobs, starts, width);
  const out: Pick<GoldenVerdicts, "compare" | "gate"> = { compare: {}, gate: {} };
  jobs.forEach((job, i) => {
    const byA = out[job.command][job.a] ?? {};
    out[job.command][job.a] = byA;
    byA[job.b] = results[i] as CliVerdict;
  });
  return out;
}

/**
 * The ab analysis of A against B as `ab` would report it had its blocks run these rounds: both results are
 * cut into the same number of blocks of consecutive rounds (block i of a side holds its rounds
 * [floor(i n / k), floor((i + 1) n / k))), each pair of cuts one block, all blocks analysed at once.
 */
function abVerdict(a: string, b: string, ra: BenchmarkResult, rb: BenchmarkResult, config: GateConfig) {
  const na = ra.samples.length;
  const nb = rb.samples.length;
  const k = Math.min(AB_BLOCKS, na, nb);
  const cut = (r: BenchmarkResult, n: number, i: number) =>
    withRounds(r, Math.floor((i * n) / k), Math.floor(((i + 1) * n) / k));
  const blocks: AbBlock[] = [];
  const cuts = Array.from({ length: k }, (_, i) => ({ a: cut(ra, na, i), b: cut(rb, nb, i) }));
  cuts.forEach((c, i) => {
    blocks.push(blockOf(i, c.a, c.b, config));
  });
  const analysis = analyzePaired(blocks, ra.mode, config);
  const verdict = pairedVerdict(analysis);
  const outcome: AbOutcome = {
    verdict,
    blocks,
    analyses: [analysis],
    elapsed_s: 0,
    stopped_by: verdict === "INCONCLUSIVE" ? "max_blocks" : "decided",
    budget: { min_blocks: k, max_blocks: k, max_seconds: 600 },
    first: cuts[0] ?? null,
  };
  const report = abReport(outcome, ra.mode, config, { a, b });
  const doc: AbVerdict = {
    verdict: report.verdict,
    exit_code: report.exit_code,
    reasons: report.reasons,
    report,
    text: lines(renderAbText(report)),
  };
  return doc;
}

/** The inputs' digests, and the ab analysis on every ordered pair of one mode. */
function inProcessVerdicts(): Pick<GoldenVerdicts, "inputs" | "ab"> {
  const config = readConfigFile(join(ROOT, CONFIG_FILE));
  const results = new Map(INPUTS.map((p) => [p, readResult(inputFile(p))]));
  const inputs: Record<string, InputDigests> = {};
  const ab: GoldenVerdicts["ab"] = {};
  for (const [a, ra] of results) {
    inputs[a] = digestsOf(ra);
    for (const [b, rb] of results) {
      if (ra.mode !== rb.mode) continue;
      const byA = ab[a] ?? {};
      ab[a] = byA;
      byA[b] = abVerdict(a, b, ra, rb, config);
    }
  }
  return { inputs, ab };
}

/**
 * Computes the whole golden record.
 * @param starts how the CLI commands are started (see {@link runCliJobs}); both give the same record.
 * @param width child processes at once.
 */
export async function computeGoldenVerdicts(
  starts: CliStarts = "batch",
  width = defaultWidth(),
): Promise<GoldenVerdicts> {
  const { inputs, ab } = inProcessVerdicts();
  const { compare, gate } = await cliVerdicts(starts, width);
  return {
    about: `written by \`npx tsx tools/write-golden-verdicts.ts\`, checked by test/integration/golden-verdicts.test.ts; see test/golden/golden-verdicts.ts`,
    inputs,
    compare,
    gate,
    ab,
  };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([x], [y]) =>
      x < y ? -1 : x > y ? 1 : 0,
    );
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/** The record as the golden file holds it: keys sorted at every level, 2-space indent, a final newline. */
export function serializeGolden(golden: GoldenVerdicts): string {
  return `${JSON.stringify(sortKeys(golden), null, 2)}\n`;
}
