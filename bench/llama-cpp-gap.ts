/**
 * The llama-cpp engine against llama.cpp's own native loops, interleaved (bench/lib/interleave.ts), the
 * successor of bench/engine-gap.ts for issue 10. Arms (suffix -t1/-t2 = threads):
 *
 *   llama-cpp-tN        the engine (createLlamaCppEngine + generate / embed), decode loop in its worker
 *   node-llama-cpp-tN   the node-llama-cpp engine (createLlamaEngine), generation only (see below)
 *   llama-bench-tN      llama.cpp's llama-bench (bench/build-llama.sh llama-bench) in a child process: tg<tokens> at
 *                       depth = prompt length: the same decode work without sampling or JavaScript
 *   c-loop-tN           bench/llama-cpp-embed-loop.cpp (bench/build-llama.sh c-loop) in a child process
 *                       that stays up: per call exactly what the engine's worker does, in C, embedding only
 *
 * Both native yardsticks link node-llama-cpp's prebuilt libraries, so the same libllama and
 * libggml-cpu-<variant>.so run in every arm. The node-llama-cpp arm is for generation only: in one process
 * both engines share llama.cpp's one logger, and node-llama-cpp's per-call embedding warning would reach
 * the llama-cpp engine's worker.
 *
 * Usage:
 *   npx tsx bench/llama-cpp-gap.ts --mode generation --arms llama-cpp-t1,llama-bench-t1,llama-cpp-t2,llama-bench-t2
 *     [--preset tiny|small] [--rounds 20] [--warmup 2] [--tokens 64] [--reference llama-bench-t1]
 *     [--llama-bench /tmp/perf-baseline-llama-bench/llama-bench]
 *   npx tsx bench/llama-cpp-gap.ts --mode embedding --arms llama-cpp-t1,c-loop-t1,llama-cpp-t2,c-loop-t2
 *     [--c-loop /tmp/perf-baseline-llama-bench/llama-cpp-embed-loop]
 * Embedding arms also report calls per CPU-second (process CPU time over the round): with other work on the
 * machine, wall time measures the scheduler as much as the code.
 * Prints one JSON document on stdout (figures, ratios with bootstrap CIs, load average); tables on stderr.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  createLlamaCppEngine,
  defaultLlamaLibDir,
  type LlamaCppEngine,
} from "../src/engines/llama-cpp/engine.js";
import { createLlamaEngine } from "../src/engines/node-llama-cpp/engine.js";
import { ensureDummyModel } from "../src/models/cache.js";
import { EMBEDDING_TEXTS, GENERATION_PROMPT } from "../src/workload/workload.js";
import { parseScript, textOpt, usageExit } from "./lib/args.js";
import { generationRates, secondsBetween } from "./lib/figures.js";
import {
  type Arm,
  gapHeader,
  gapOpts,
  interleave,
  machineLoad,
  type RoundFigures,
  reportMetrics,
  ttyProgress,
} from "./lib/interleave.js";
import { LLAMA_BENCH_DIR, llamaBenchRate } from "./lib/native.js";

const info = {
  name: "bench/llama-cpp-gap.ts",
  summary: "The llama-cpp engine against llama.cpp's own native loops (llama-bench, a C loop), interleaved.",
  usage: "npx tsx bench/llama-cpp-gap.ts [options]",
};
const { values: args } = parseScript(info, {
  ...gapOpts("see the header", "llama-cpp-t1,llama-bench-t1"),
  "llama-bench": textOpt("llama-bench (bench/build-llama.sh llama-bench)", `${LLAMA_BENCH_DIR}/llama-bench`),
  "c-loop": textOpt(
    "the C embedding loop (bench/build-llama.sh c-loop)",
    `${LLAMA_BENCH_DIR}/llama-cpp-embed-loop`,
  ),
});

const { mode, rounds, warmup, tokens: newTokens } = args;
const modelPath = ensureDummyModel(args.preset, 42).path;
const contextSize = Math.max(512, Math.ceil((newTokens + 256) / 256) * 256);
const batchSize = 512;
const children: ChildProcessWithoutNullStreams[] = [];

function threadsOf(name: string): number {
  const m = name.match(/-t(\d+)$/);
  if (!m) throw new Error(`arm ${name} must end in -t<threads>`);
  return Number(m[1]);
}

async function engineArm(name: string, engine: Awaited<ReturnType<typeof createLlamaEngine>>): Promise<Arm> {
  if (mode === "generation") {
    return {
      name,
      async run() {
        const r = await engine.generate(GENERATION_PROMPT, newTokens);
        if (r.output_tokens !== newTokens) throw new Error(`${name}: ${r.output_tokens} tokens`);
        return generationRates(r);
      },
    };
  }
  return {
    name,
    async run() {
      const c0 = process.cpuUsage();
      const r = await engine.embed(EMBEDDING_TEXTS);
      const cpu = process.cpuUsage(c0);
      return {
        calls_per_second: r.calls / secondsBetween(r.start_ns, r.end_ns),
        calls_per_cpu_second: r.calls / ((cpu.user + cpu.system) / 1e6),
      };
    },
  };
}

function llamaBenchArm(name: string, libDir: string, promptTokens: number): Arm {
  const argv = ["-m", modelPath, "-t", String(threadsOf(name)), "-r", "1", "-o", "json"];
  argv.push("-p", "0", "-n", String(newTokens), "-d", String(promptTokens));
  return {
    name,
    async run(): Promise<RoundFigures> {
      const ts = llamaBenchRate(args["llama-bench"], argv, libDir);
      return { tokens_per_second: ts, decode_tokens_per_second: ts };
    },
  };
}

/** The C loop as a long-lived child: one "r" line per round, one JSON line back. */
async function cLoopArm(name: string, libDir: string, inputs: Int32Array[], dir: string): Promise<Arm> {
  const file = join(dir, `${name}.inputs`);
  writeFileSync(file, `${inputs.map((t) => Array.from(t).join(" ")).join("\n")}\n`);
  const child = spawn(
    args["c-loop"] as string,
    [modelPath, String(threadsOf(name)), String(contextSize), String(batchSize), file, libDir],
    { cwd: libDir, stdio: ["pipe", "pipe", "pipe"] },
  );
  children.push(child);
  child.stderr.on("data", (d: Buffer) => process.stderr.write(`${name}: ${d}`));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    name,
    async run() {
      child.stdin.write("r\n");
      const next = await lines.next();
      if (next.done) throw new Error(`${name} exited (code ${child.exitCode})`);
      const r = JSON.parse(next.value) as { calls: number; elapsed_ns: number; cpu_ns: number };
      return {
        calls_per_second: r.calls / (r.elapsed_ns / 1e9),
        calls_per_cpu_second: r.calls / (r.cpu_ns / 1e9),
      };
    },
  };
}

const KINDS = ["node-llama-cpp-", "llama-cpp-", "llama-bench-", "c-loop-"] as const;

/** Every arm of a known kind, for the mode, with its thread count; the reference among the arms. */
function checkArms(names: readonly string[], reference: string): void {
  for (const name of names) {
    if (!KINDS.some((k) => name.startsWith(k))) usageExit(info, `unknown arm ${name}`);
    if (!/-t(\d+)$/.test(name)) usageExit(info, `arm ${name} must end in -t<threads>`);
    if (name.startsWith("node-llama-cpp-") && mode !== "generation")
      usageExit(info, `${name} is a generation-only arm (see the header)`);
    if (name.startsWith("c-loop-") && mode !== "embedding")
      usageExit(info, `${name} is an embedding-only arm`);
  }
  if (!names.includes(reference)) usageExit(info, `--reference ${reference} is not one of --arms`);
}

/** The engine arms (node-llama-cpp first: the llama-cpp engine then installs llama.cpp's logger last). */
async function engineArms(names: readonly string[], arms: Arm[], engines: { dispose(): Promise<void> }[]) {
  let probe: LlamaCppEngine | null = null;
  for (const name of names.filter((n) => n.startsWith("node-llama-cpp-"))) {
    const e = await createLlamaEngine({
      modelPath,
      mode,
      threads: threadsOf(name),
      maxNewTokens: newTokens,
      log: () => {},
    });
    engines.push(e);
    arms.push(await engineArm(name, e));
  }
  for (const name of names.filter((n) => n.startsWith("llama-cpp-"))) {
    const t = threadsOf(name);
    const e = await createLlamaCppEngine({
      modelPath,
      mode,
      ...(mode === "generation" ? { threads: t } : { embeddingThreads: t }),
      maxNewTokens: newTokens,
      log: (line) => process.stderr.write(`${name}: llama.cpp: ${line}\n`),
    });
    engines.push(e);
    probe ??= e;
    arms.push(await engineArm(name, e));
  }
  if (!probe) {
    probe = await createLlamaCppEngine({ modelPath, mode, maxNewTokens: newTokens, log: () => {} });
    engines.push(probe);
  }
  return probe;
}

async function main() {
  const names = args.arms;
  const reference = args.reference ?? names[0] ?? "llama-cpp-t1";
  checkArms(names, reference);
  const lib = await defaultLlamaLibDir();
  const dir = mkdtempSync(join(tmpdir(), "pb-llama-cpp-gap-"));
  const arms: Arm[] = [];
  const engines: { dispose(): Promise<void> }[] = [];
  const probe = await engineArms(names, arms, engines);
  const promptTokens = probe.countTokens(GENERATION_PROMPT);
  for (const name of names) {
    if (name.startsWith("llama-bench-")) arms.push(llamaBenchArm(name, lib.dir, promptTokens));
    else if (name.startsWith("c-loop-")) {
      const inputs = EMBEDDING_TEXTS.map((t) => probe.embeddingInput(t));
      arms.push(await cLoopArm(name, lib.dir, inputs, dir));
    }
  }
  // arms in the order given (the interleaving rotates it anyway)
  arms.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
  const loadBefore = await machineLoad();
  const data = await interleave(arms, { rounds, warmup, onBlock: ttyProgress(`${mode} ${args.preset}`) });
  // embedding: also calls per CPU-second (process CPU time over the round, all threads): what a call costs,
  // less sensitive than wall time to the other work on a shared machine
  const metrics =
    mode === "generation"
      ? ["decode_tokens_per_second", "tokens_per_second"]
      : ["calls_per_second", "calls_per_cpu_second"];
  const reports = reportMetrics(data, metrics, reference, `${mode} ${args.preset}`);
  const out = {
    ...gapHeader("bench/llama-cpp-gap.ts", mode, args.preset, modelPath),
    llama_lib: lib,
    new_tokens: mode === "generation" ? newTokens : null,
    prompt_tokens: promptTokens,
    context_size: contextSize,
    rounds,
    warmup,
    reference,
    load_before: loadBefore,
    load_after: await machineLoad(),
    reports,
    raw: data,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  for (const c of children) c.stdin.end();
  for (const e of engines) await e.dispose();
  rmSync(dir, { recursive: true, force: true });
}

await main();
process.exit(0);
