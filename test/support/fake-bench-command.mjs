#!/usr/bin/env node
/**
 * A FAKE benchmark command (a test rig, never a measurement): it prints results prepared by the test, so that
 * `ab --a-cmd/--b-cmd` and `--against` are decided on set samples, whatever the machine's speed.
 *
 *   node test/support/fake-bench-command.mjs --dir DIR [--output FILE] [--fail KIND] [--fail-at RUN]
 *   node test/support/fake-bench-command.mjs --dir DIR --llama-bench TS [--reps N] [--fail KIND]
 *
 * DIR holds the results to print (0.json, 1.json, ...; each run prints the next, cycling) and `counter`, the
 * number of runs made so far (this command updates it). --output writes the result to FILE instead of stdout.
 * --llama-bench TS prints llama-bench's `-o json` instead (the shape of its README's example,
 * test/fixtures/import/llama-bench/readme.json, one tg32 row): N repetitions (default 5) whose samples_ts are
 * TS tokens/s times a small deterministic jitter (+-2 %, set by the run number, the repetition and TS); DIR then
 * holds only the counter.
 * --fail makes a run fail (from run --fail-at on, counted from 1; default every run):
 *   exit     a line on stderr, exit code 3
 *   nothing  exit 0 without printing anything
 *   garbage  prints a line that is not a result
 *   jsonl    prints the result twice as JSON Lines
 *   llama-bench  prints llama-bench JSON (another format than this tool's result), samples_ts of 100
 *   summary  prints llama-bench JSON without samples_ns and samples_ts (a summary only)
 *   hang     starts a child that sleeps, then sleeps itself (for the timeout: both must be killed); the
 *            child's pid is written to DIR/hang-child.pid
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    dir: { type: "string" },
    output: { type: "string" },
    fail: { type: "string" },
    "fail-at": { type: "string" },
    "llama-bench": { type: "string" },
    reps: { type: "string" },
  },
});
const dir = values.dir;
if (!dir) {
  process.stderr.write("fake-bench-command: --dir DIR is required\n");
  process.exit(2);
}
const counterPath = join(dir, "counter");
const run = existsSync(counterPath) ? Number(readFileSync(counterPath, "utf8")) : 0;
writeFileSync(counterPath, String(run + 1));

/** llama-bench `-o json` of one tg32 test, its samples_ts `ts` tokens/s each with a set jitter. */
function llamaBenchJson(ts) {
  const template = JSON.parse(
    readFileSync(new URL("../fixtures/import/llama-bench/readme.json", import.meta.url), "utf8"),
  )[1];
  const reps = Number(values.reps ?? 5);
  const samplesTs = Array.from(
    { length: reps },
    (_, i) => ts * (1 + 0.02 * Math.sin(run * 2.3 + i * 1.7 + ts * 0.13)),
  );
  const samplesNs = samplesTs.map((t) => Math.round((32 / t) * 1e9));
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = (xs) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
  const row = {
    ...template,
    n_prompt: 0,
    n_gen: 32,
    avg_ns: Math.round(mean(samplesNs)),
    stddev_ns: Math.round(sd(samplesNs)),
    avg_ts: mean(samplesTs),
    stddev_ts: sd(samplesTs),
    samples_ns: samplesNs,
    samples_ts: samplesTs,
  };
  return `${JSON.stringify([row], null, 2)}\n`;
}

/** The text this run prints when it does not fail: llama-bench JSON, or the next prepared result. */
function prepared() {
  if (values["llama-bench"] !== undefined) return llamaBenchJson(Number(values["llama-bench"]));
  let n = 0;
  while (existsSync(join(dir, `${n}.json`))) n++;
  return readFileSync(join(dir, `${run % n}.json`), "utf8");
}
const text = prepared();
const failing = values.fail !== undefined && run + 1 >= Number(values["fail-at"] ?? 1);

/** Prints (or writes) the output of this run. */
function emit(out) {
  if (values.output) writeFileSync(values.output, out);
  else process.stdout.write(out);
}

if (!failing) emit(text);
else if (values.fail === "exit") {
  process.stderr.write("fake-bench-command: the benchmark failed on purpose\n");
  process.exit(3);
} else if (values.fail === "nothing") process.exit(0);
else if (values.fail === "garbage") emit("this is not a result\n");
else if (values.fail === "jsonl") {
  const line = JSON.stringify(JSON.parse(text));
  emit(`${line}\n${line}\n`);
} else if (values.fail === "llama-bench") emit(llamaBenchJson(100));
else if (values.fail === "summary") {
  const [row] = JSON.parse(llamaBenchJson(100));
  delete row.samples_ns;
  delete row.samples_ts;
  emit(`${JSON.stringify([row])}\n`);
} else if (values.fail === "hang") {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 600000)"], { stdio: "ignore" });
  writeFileSync(join(dir, "hang-child.pid"), String(child.pid));
  setTimeout(() => {}, 600000);
} else {
  process.stderr.write(`fake-bench-command: unknown --fail ${values.fail}\n`);
  process.exit(2);
}
