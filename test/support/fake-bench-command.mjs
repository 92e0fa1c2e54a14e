#!/usr/bin/env node
/**
 * A FAKE benchmark command (a test rig, never a measurement): it prints results prepared by the test, so that
 * `ab --a-cmd/--b-cmd` and `--against` are decided on set samples, whatever the machine's speed.
 *
 *   node test/support/fake-bench-command.mjs --dir DIR [--output FILE] [--fail KIND] [--fail-at RUN]
 *
 * DIR holds the results to print (0.json, 1.json, ...; each run prints the next, cycling) and `counter`, the
 * number of runs made so far (this command updates it). --output writes the result to FILE instead of stdout.
 * --fail makes a run fail (from run --fail-at on, counted from 1; default every run):
 *   exit     a line on stderr, exit code 3
 *   nothing  exit 0 without printing anything
 *   garbage  prints a line that is not a result
 *   jsonl    prints the result twice as JSON Lines (another format than a plain JSON document)
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
let n = 0;
while (existsSync(join(dir, `${n}.json`))) n++;
const text = readFileSync(join(dir, `${run % n}.json`), "utf8");
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
} else if (values.fail === "hang") {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 600000)"], { stdio: "ignore" });
  writeFileSync(join(dir, "hang-child.pid"), String(child.pid));
  setTimeout(() => {}, 600000);
} else {
  process.stderr.write(`fake-bench-command: unknown --fail ${values.fail}\n`);
  process.exit(2);
}
