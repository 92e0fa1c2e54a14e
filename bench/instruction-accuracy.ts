/**
 * Accuracy of the gate on instruction counts (`--counter instructions`), run through
 * `npx tsx bench/gate-accuracy.ts --counter instructions ...` or directly:
 *
 *   npx tsx bench/instruction-accuracy.ts [--mode generation|embedding|both] [--captures 10] [--arms A,W3,W10]
 *       [--rounds 2] [--warmup 1] [--max-new-tokens 32] [--save-pools FILE] [--load-pools FILE[,FILE...]]
 *
 * Arms: A = unchanged code; W3 and W10 = 3 % and 10 % more real work per reported token or call (the test
 * extra-work device: extra decoded tokens, or extra tokens in the round's last embedding text; no timing in
 * it; whole tokens, so the measured rise is printed). Each capture is a separate engine process under
 * callgrind (a distinct capture), saved to --save-pools after each one so that captures made by several
 * processes (run side by side) can be pooled with --load-pools a,b,c.
 * Figures: the spread of the A captures (max - min) / min of the count per unit (determinism across
 * processes); false alarms = REGRESSION over all ordered pairs of distinct A captures; detection = REGRESSION
 * over all pairs (A baseline, W candidate); the measured rise of each W arm. The machine's load average is
 * printed beside them.
 */
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { defaultGateConfig } from "../src/config/gate-config.js";
import { gateInstructions } from "../src/gate/instructions.js";
import type { BenchmarkResult } from "../src/results/schema.js";
import type { Mode } from "../src/workload/workload.js";
import {
  choiceOpt,
  intOpt,
  knownItem,
  listOpt,
  modesOf,
  modesOpt,
  type OptValues,
  parseScript,
  textOpt,
} from "./lib/args.js";
import { captureArm, WORK_ARMS } from "./lib/arms.js";
import { type ArmPools, addToPools, loadPools, mergeArmPools, savePools } from "./lib/pools.js";

const workOf = (key: string) => WORK_ARMS.find((a) => a.key === key)?.extraWork;

const OPTS = {
  mode: modesOpt("both"),
  captures: intOpt("captures per arm and mode", 10),
  arms: listOpt(
    "the arms to capture",
    "A,W3,W10",
    knownItem(
      WORK_ARMS.map((a) => a.key),
      "arm",
    ),
  ),
  rounds: intOpt("measured rounds per capture", 2),
  warmup: intOpt("warmup rounds per capture", 1, { allowZero: true }),
  "max-new-tokens": intOpt("new tokens per generation round", 32),
  "save-pools": textOpt("add the captures to this file (after each one)"),
  "load-pools": listOpt(
    "evaluate the captures of these files (comma-separated; a missing file is skipped)",
    "",
  ),
  counter: choiceOpt("as bench/gate-accuracy.ts takes it", ["instructions"], "instructions"),
};

/** Captures `k` rounds of every arm and mode, adding each to `pools` and to the --save-pools file. */
async function captureAll(values: OptValues<typeof OPTS>, modes: Mode[], pools: ArmPools): Promise<void> {
  const save = values["save-pools"];
  const own: ArmPools = save && existsSync(save) ? loadPools<ArmPools>(save) : {};
  const shape = { rounds: values.rounds, warmup: values.warmup, preset: "tiny", seed: 42 };
  for (let i = 0; i < values.captures; i++)
    for (const mode of modes)
      for (const key of values.arms) {
        const arm = WORK_ARMS.find((a) => a.key === key) ?? WORK_ARMS[0];
        const maxNewTokens = mode === "generation" ? values["max-new-tokens"] : 0;
        const spec = { ...shape, mode, maxNewTokens, counter: "instructions" as const };
        const { result, wall_s } = await captureArm(arm, {
          ...spec,
          command: "bench/instruction-accuracy.ts",
        });
        addToPools(own, mode, key, result);
        addToPools(pools, mode, key, result);
        process.stderr.write(
          `${mode} ${key} capture ${i + 1}: ${Math.round(result.instructions?.per_unit ?? 0)} instructions per unit, per round ${result.instructions?.per_round.join(", ")}, ${wall_s.toFixed(0)} s, load average ${loadavg()[0]?.toFixed(1)}\n`,
        );
        if (save) savePools(save, own);
      }
}

/** Evaluates the pools of one mode (see the module comment). */
export function evaluateInstructionPools(mode: Mode, arms: Record<string, BenchmarkResult[]>): string[] {
  const config = defaultGateConfig();
  const t = config.instruction_thresholds[mode];
  const a = arms.A ?? [];
  const per = (r: BenchmarkResult) => r.instructions?.per_unit ?? Number.NaN;
  const lines: string[] = [`## ${mode}: threshold ${(t * 100).toFixed(1)} %`];
  if (a.length >= 2) {
    const xs = a.map(per);
    const spread = (Math.max(...xs) - Math.min(...xs)) / Math.min(...xs);
    let alarms = 0;
    let pairs = 0;
    for (let i = 0; i < a.length; i++)
      for (let j = 0; j < a.length; j++)
        if (i !== j) {
          pairs++;
          if (gateInstructions(a[i] as BenchmarkResult, a[j] as BenchmarkResult, t)?.verdict === "REGRESSION")
            alarms++;
        }
    lines.push(
      `A/A: ${a.length} distinct captures, spread of the count per unit ${(spread * 100).toFixed(5)} % (${xs.map((x) => Math.round(x)).join(", ")}); false alarms ${alarms} of ${pairs} ordered pairs`,
    );
  } else lines.push(`A/A: ${a.length} capture(s): too few for pairs`);
  for (const arm of Object.keys(arms).filter((k) => k !== "A")) {
    const w = arms[arm] ?? [];
    if (a.length === 0 || w.length === 0) continue;
    let hits = 0;
    let pairs = 0;
    const rises: number[] = [];
    for (const b of a)
      for (const c of w) {
        pairs++;
        const r = gateInstructions(b, c, t);
        if (r?.verdict === "REGRESSION") hits++;
        if (r) rises.push(r.change);
      }
    const mean = rises.reduce((x, y) => x + y, 0) / Math.max(1, rises.length);
    lines.push(
      `${arm} (${((workOf(arm) ?? 0) * 100).toFixed(0)} % more work): ${w.length} distinct captures, measured rise ${(mean * 100).toFixed(3)} % per unit; detected ${hits} of ${pairs} pairs (${((100 * hits) / pairs).toFixed(1)} %)`,
    );
  }
  return lines;
}

/** Runs the script on `argv` (bench/gate-accuracy.ts hands it its own with `--counter instructions`). */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseScript(
    {
      name: "bench/instruction-accuracy.ts",
      summary:
        "How accurate the instruction-count gate is: spread of A/A captures, detection of 3 % / 10 % more work.",
      usage:
        "npx tsx bench/instruction-accuracy.ts [options]  (or bench/gate-accuracy.ts --counter instructions)",
    },
    OPTS,
    argv,
  );
  const modes = modesOf(values.mode);
  const pools = mergeArmPools(values["load-pools"]);
  if (values["load-pools"].length === 0 || values["save-pools"]) await captureAll(values, modes, pools);
  const lines = [
    `load average now: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
  ];
  for (const mode of modes) if (pools[mode]) lines.push(...evaluateInstructionPools(mode, pools[mode]));
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
