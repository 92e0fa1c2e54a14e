import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import type { CliRun } from "./cli.js";

/** The repository root. */
const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "perf-baseline.js");

/**
 * Runs `perf-baseline ARGS` in a child process without blocking this process's event loop (so that a server
 * in the test process can answer it), bounded in time: the child is killed at `timeoutMs`.
 * `onStart` gets the child (e.g. to send it SIGINT).
 */
export function runCliAsync(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; onStart?: (child: ChildProcess) => void } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: "true", ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
    opts.onStart?.(child);
  });
}

/** A `perf-baseline serve` child process on 127.0.0.1. */
export interface ServeProcess {
  baseUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `perf-baseline serve --port 0 ARGS` and waits (bounded) for the base URL it prints on stdout.
 * @throws when it does not print one within `timeoutMs`.
 */
export function startServeProcess(args: string[] = [], timeoutMs = 60_000): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "serve", "--port", "0", ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const exited = new Promise<void>((done) => child.on("close", () => done()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`perf-baseline serve printed no URL within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n") && line?.startsWith("http://127.0.0.1:")) {
        clearTimeout(timer);
        resolve({ baseUrl: line.trim(), child, stop });
      }
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      reject(new Error(`perf-baseline serve exited (${code}) before printing its URL; stderr: ${stderr}`));
    });
  });
}
