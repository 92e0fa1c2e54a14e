import { spawnSync } from "node:child_process";
import { join } from "node:path";

/** The repository root. */
export const ROOT = join(import.meta.dirname, "..", "..");

/** What a CLI child process did. */
export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `perf-baseline ARGS` (bin/perf-baseline.js) in a child process, bounded in time, with CI=true so that
 * no progress is drawn. `env` adds to or overrides the environment.
 */
export function runCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): CliRun {
  return runNode([join(ROOT, "bin", "perf-baseline.js"), ...args], opts);
}

/** Runs the seed's script, tools/benchmark.ts, in a child process. */
export function runSeedScript(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): CliRun {
  return runNode(["--import", "tsx", join(ROOT, "tools", "benchmark.ts"), ...args], opts);
}

function runNode(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string },
): CliRun {
  const r = spawnSync(process.execPath, args, {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, CI: "true", ...opts.env },
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 120_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
