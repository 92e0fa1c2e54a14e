/**
 * Runs many `perf-baseline` commands in ONE child process (`node --import tsx test/golden/cli-batch.ts JOBS OUT`):
 * each through the CLI's entry (src/cli/main.ts `main`, what bin/perf-baseline.js calls), with process.argv
 * set as the bin sets it and stdout and stderr captured per command. One start instead of one per command: a
 * start costs about 0.6 s of CPU (tsx and the CLI's modules), 200 of them over a minute on 2 cores.
 * JOBS: a JSON file, an array of argv arrays. OUT: the JSON file written, an array of
 * { exit_code, stdout, stderr } in the same order. test/golden/golden-verdicts.ts checks that what this prints
 * is what `node bin/perf-baseline.js` prints (a separate process per command).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cliMain } from "../support/golden-adapter.js";

const [jobsFile, outFile] = process.argv.slice(2);
if (jobsFile === undefined || outFile === undefined)
  throw new Error("usage: cli-batch.ts JOBS.json OUT.json");
const jobs = JSON.parse(readFileSync(jobsFile, "utf8")) as string[][];
const bin = join(import.meta.dirname, "..", "..", "bin", "perf-baseline.js");

type Write = typeof process.stdout.write;

/** Replaces a stream's write with one that appends to `sink`; returns the original. */
function capture(stream: NodeJS.WriteStream, sink: string[]): Write {
  const original = stream.write;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    sink.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    if (cb) process.nextTick(cb);
    return true;
  }) as Write;
  return original;
}

const results: Array<{ exit_code: number; stdout: string; stderr: string }> = [];
const argv0 = process.argv.slice(0, 1);
for (const argv of jobs) {
  const out: string[] = [];
  const err: string[] = [];
  process.argv = [...argv0, bin, ...argv];
  const stdoutWrite = capture(process.stdout, out);
  const stderrWrite = capture(process.stderr, err);
  let code: number;
  try {
    code = await cliMain(argv);
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
  results.push({ exit_code: code, stdout: out.join(""), stderr: err.join("") });
}
writeFileSync(outFile, JSON.stringify(results));
