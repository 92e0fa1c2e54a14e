/**
 * Accuracy of the gate on instruction counts (`--counter instructions`), run through
 * `npx tsx bench/gate-accuracy.ts --counter instructions ...` or directly:
 *
 *   npx tsx bench/instruction-accuracy.ts [--mode generation|embedding|both] [--captures 10] [--arms A,W3,W10]
 *       [--rounds 2] [--warmup 1] [--max-new-tokens 32] [--save-pools FILE] [--load-pools FILE[,FILE...]]
 *
 * Arms: A = unchanged code; W3 and W10 = 3 % and 10 % more real work per reported token or call
 * (test/support/slowdown-device.ts withExtraWorkForTests: extra decoded tokens, or extra tokens in the
 * round's last embedding text; no timing in it; whole tokens, so the measured rise is printed). Each capture is a separate engine process under
 * callgrind (a distinct capture), saved to --save-pools after each one so that captures made by several
 * processes (run side by side) can be pooled with --load-pools a,b,c.
 * Figures: the spread of the A captures (max - min) / min of the count per unit (determinism across
 * processes); false alarms = REGRESSION over all ordered pairs of distinct A captures; detection = REGRESSION
 * over all pairs (A baseline, W candidate); the measured rise of each W arm. The machine's load average is
 * printed beside them.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { defaultGateConfig } from "../src/config/gate-config.js";
import { localOptionsFromFlags } from "../src/engines/local/options.js";
import { DEFAULT_ENGINE } from "../src/engines/registry.js";
import { completedResult } from "../src/execute/outcome.js";
import { runBenchmark } from "../src/execute/run-benchmark.js";
import { gateInstructions } from "../src/gate/instructions.js";
import type { BenchmarkResult } from "../src/results/schema.js";
import type { Mode } from "../src/workload/workload.js";
import { extraWorkDevice } from "../test/support/engine-devices.js";

const ARM_WORK: Record<string, number> = { A: 0, W3: 0.03, W10: 0.1 };

type Pools = Record<string, Record<string, BenchmarkResult[]>>;

async function capture(mode: Mode, work: number, rounds: number, warmup: number, tokens: number) {
  const options = localOptionsFromFlags({ preset: "tiny", seed: "42", counter: "instructions" });
  const shape = { mode, rounds, warmup, maxNewTokens: mode === "generation" ? tokens : 0 };
  const invocation = { command: "bench/instruction-accuracy.ts", argv: [], cwd: process.cwd() };
  const t0 = Date.now();
  const testing = work > 0 ? { device: extraWorkDevice(work) } : {};
  const r = completedResult(await runBenchmark(DEFAULT_ENGINE, options, { ...shape, invocation }, testing));
  return { result: r, seconds: (Date.now() - t0) / 1000 };
}

function loadPools(spec: string | undefined): Pools {
  const pools: Pools = {};
  for (const f of (spec ?? "").split(",").filter((x) => x !== "" && existsSync(x))) {
    const p = JSON.parse(readFileSync(f, "utf8")) as Pools;
    for (const [mode, arms] of Object.entries(p))
      for (const [arm, list] of Object.entries(arms)) {
        pools[mode] ??= {};
        pools[mode][arm] = [...(pools[mode][arm] ?? []), ...list];
      }
  }
  return pools;
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
      `${arm} (${((ARM_WORK[arm] ?? 0) * 100).toFixed(0)} % more work): ${w.length} distinct captures, measured rise ${(mean * 100).toFixed(3)} % per unit; detected ${hits} of ${pairs} pairs (${((100 * hits) / pairs).toFixed(1)} %)`,
    );
  }
  return lines;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    options: {
      mode: { type: "string", default: "both" },
      captures: { type: "string", default: "10" },
      arms: { type: "string", default: "A,W3,W10" },
      rounds: { type: "string", default: "2" },
      warmup: { type: "string", default: "1" },
      "max-new-tokens": { type: "string", default: "32" },
      "save-pools": { type: "string" },
      "load-pools": { type: "string" },
      counter: { type: "string" },
    },
  });
  const modes: Mode[] = values.mode === "both" ? ["generation", "embedding"] : [values.mode as Mode];
  const pools = loadPools(values["load-pools"] as string | undefined);
  const k = Number(values.captures);
  const armNames = String(values.arms).split(",");
  const save = values["save-pools"] as string | undefined;
  if (!values["load-pools"] || save) {
    const own: Pools = save && existsSync(save) ? (JSON.parse(readFileSync(save, "utf8")) as Pools) : {};
    for (let i = 0; i < k; i++)
      for (const mode of modes)
        for (const arm of armNames) {
          const { result, seconds } = await capture(
            mode,
            ARM_WORK[arm] ?? 0,
            Number(values.rounds),
            Number(values.warmup),
            Number(values["max-new-tokens"]),
          );
          own[mode] ??= {};
          own[mode][arm] = [...(own[mode][arm] ?? []), result];
          pools[mode] ??= {};
          pools[mode][arm] = [...(pools[mode][arm] ?? []), result];
          process.stderr.write(
            `${mode} ${arm} capture ${i + 1}: ${Math.round(result.instructions?.per_unit ?? 0)} instructions per unit, per round ${result.instructions?.per_round.join(", ")}, ${seconds.toFixed(0)} s, load average ${loadavg()[0]?.toFixed(1)}\n`,
          );
          if (save) writeFileSync(save, JSON.stringify(own));
        }
  }
  const lines = [
    `load average now: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
  ];
  for (const mode of modes) if (pools[mode]) lines.push(...evaluateInstructionPools(mode, pools[mode]));
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
