/**
 * The trees of bench/ab-accuracy.ts's `against-capture`: what `check-release --against HEAD` meets.
 *   A   HEAD in a temporary git worktree, installed as --against installs it (src/cli/against.ts withRefTree;
 *       the time to add and install it is measured: each decision pays it once)
 *   U   the working tree, unchanged (A/A: the same code as A)
 *   S   a temporary clone of HEAD with one more commit that slows the engine: after every llama_decode the
 *       engine spins for `slowFraction` of the time the decode took (a real change of the engine's loop in
 *       src/engines/llama-cpp/session.ts, applied by this script, not a test device); 1/3 makes every decode
 *       1.33 x as long, about a 25 % lower rate
 * Every run is the default bench command of --against (src/cli/against.ts defaultBenchArgv) run through the
 * command executor, as the command runs it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultBenchArgv, type RefTree, withRefTree } from "../../src/cli/against.js";
import type { RunShape } from "../../src/engines/definition.js";
import type { CommandTarget } from "../../src/execute/command.js";
import { completedResult } from "../../src/execute/outcome.js";
import { runPlanned } from "../../src/execute/registry.js";
import type { BenchmarkResult } from "../../src/results/schema.js";

/** The arms of an --against capture. */
export const AGAINST_ARM_KEYS = ["A", "U", "S"] as const;
export type AgainstArmKey = (typeof AGAINST_ARM_KEYS)[number];

/** The line of session.ts the slowdown wraps. */
const DECODE_CALL =
  "    const rc = this.api.llama_decode(this.ctx, batch ?? this.api.llama_batch_get_one(this.tokenBuf, nTokens));";

/** The slowed line: the decode, then a spin for `fraction` of its time. */
function slowedDecode(fraction: number): string {
  const per = Math.round(fraction * 1000);
  return [
    "    const decodeStart = now();",
    DECODE_CALL,
    `    const spinUntil = now() + ((now() - decodeStart) * ${per}n) / 1000n; // bench/ab-accuracy.ts slowdown`,
    "    while (now() < spinUntil) {}",
  ].join("\n");
}

/**
 * A clone of `root`'s HEAD with a commit that slows every llama_decode by `fraction` of its time, its
 * node_modules linked to `root`'s.
 * @returns the clone's folder (inside `tmp`).
 */
export function slowClone(root: string, tmp: string, fraction: number): string {
  const dir = join(tmp, "slow");
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@localhost", ...args], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
    });
  execFileSync("git", ["clone", "--quiet", "--shared", root, dir], { stdio: "ignore", timeout: 120_000 });
  const path = join(dir, "src", "engines", "llama-cpp", "session.ts");
  const text = readFileSync(path, "utf8");
  if (!text.includes(DECODE_CALL)) throw new Error(`${path}: the llama_decode line to slow is not there`);
  writeFileSync(path, text.replace(DECODE_CALL, slowedDecode(fraction)));
  git("commit", "-qam", `bench: every llama_decode spins for ${fraction} of its time`);
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

/** One run of the default bench command in a tree, and its wall time (process start to result). */
export async function benchIn(tree: string, shape: RunShape, label: string) {
  const target: CommandTarget = {
    label,
    argv: defaultBenchArgv(shape),
    cwd: tree,
    env: {},
    output: null,
    timeout_s: 600,
  };
  const t0 = performance.now();
  const outcome = await runPlanned(
    { executor: "command", target },
    { ...shape, invocation: { command: target.argv.join(" "), argv: target.argv, cwd: tree } },
  );
  const result: BenchmarkResult = completedResult(outcome);
  return { result, wall_s: (performance.now() - t0) / 1000 };
}

/**
 * Runs `fn` with the three trees: HEAD's worktree as --against makes it (its setup time measured), the
 * working tree, and the slowed clone; removes the temporary ones afterwards.
 */
export async function withAgainstTrees<T>(
  fraction: number,
  fn: (trees: Record<AgainstArmKey, string>, setup_s: number) => Promise<T>,
): Promise<T> {
  const t0 = performance.now();
  return withRefTree("HEAD", undefined, async (t: RefTree) => {
    const setup_s = (performance.now() - t0) / 1000;
    const tmp = mkdtempSync(join(tmpdir(), "ab-accuracy-slow-"));
    try {
      const slow = slowClone(t.root, tmp, fraction);
      return await fn({ A: t.tree, U: t.root, S: slow }, setup_s);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}
