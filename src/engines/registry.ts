/**
 * The engine registry: every engine the tool can run, by name. Adding an engine is one definition file and
 * one entry here; nothing else names engines.
 */
import { UsageError } from "../util/errors.js";
import { type FlagSpec, type FlagTable, type FlagValues, flagHelpText } from "../util/flags.js";
import { defineEngine, type EngineDefinition } from "./definition.js";
import { llamaCppEngine } from "./llama-cpp/definition.js";
import type { LocalEngineDefinition } from "./local/define.js";
import { nodeLlamaCppEngine } from "./node-llama-cpp/definition.js";
import { openaiEngine, type ServingEngineDefinition } from "./openai/definition.js";

/** Engines that run a model on this machine (the run plan gives them a supervised engine process). */
const LOCAL: readonly LocalEngineDefinition[] = [nodeLlamaCppEngine, llamaCppEngine];
/** Engines that put a server under load (the run plan gives them the load generator). */
const SERVING: readonly ServingEngineDefinition[] = [openaiEngine];
const ENGINES: readonly EngineDefinition[] = [
  ...LOCAL.map((d) => defineEngine(d)),
  ...SERVING.map((d) => defineEngine(d)),
];

/**
 * The engine `bench` runs when --engine is not given: llama.cpp's C API directly, which decodes within 3 % of
 * llama-bench at one and two threads (node-llama-cpp: 0.36 at two threads); notes/engine-performance.md
 * section 7.
 */
export const DEFAULT_ENGINE = llamaCppEngine.name;

/** Registry names, in registry order. */
export function engineNames(): string[] {
  return ENGINES.map((e) => e.name);
}

/**
 * The engine of a name.
 * @throws UsageError listing the engines there are.
 */
export function getEngine(name: string): EngineDefinition {
  const found = ENGINES.find((e) => e.name === name);
  if (!found) throw new UsageError(`unknown engine "${name}" (engines: ${engineNames().join(", ")})`);
  return found;
}

/** A local engine (one whose runs go to the engine process) by name; undefined for the others. */
export function getLocalEngine(name: string): LocalEngineDefinition | undefined {
  return LOCAL.find((e) => e.name === name);
}

/** A serving engine (one whose runs put a server under load) by name; undefined for the others. */
export function getServingEngine(name: string): ServingEngineDefinition | undefined {
  return SERVING.find((e) => e.name === name);
}

/**
 * Every engine's flags in one table, for a command that takes any engine; each entry records the engines
 * that take it. A flag several engines take with the same meaning keeps that one spec; where the meanings
 * differ, the entry's description names each engine's meaning with its range ("node-llama-cpp, llama-cpp:
 * tokens per evaluation batch (1 to 65536); openai: ...") and its default each engine's default.
 */
export function allEngineFlags(kind: "run" | "capture" = "run"): FlagTable {
  const variants = new Map<string, Array<{ engine: string; spec: FlagSpec }>>();
  for (const e of ENGINES) {
    const flags = kind === "capture" ? { ...e.flags, ...(e.captureFlags ?? {}) } : e.flags;
    for (const [name, spec] of Object.entries(flags))
      variants.set(name, [...(variants.get(name) ?? []), { engine: e.name, spec }]);
  }
  return Object.fromEntries([...variants].map(([name, vs]) => [name, mergeFlag(vs)]));
}

/** One table entry for a flag several engines declare (see {@link allEngineFlags}). */
function mergeFlag(vs: ReadonlyArray<{ engine: string; spec: FlagSpec }>): FlagSpec {
  const first = (vs[0] as { spec: FlagSpec }).spec;
  const engines = vs.map((v) => v.engine);
  const group = (text: (s: FlagSpec) => string) => {
    const out = new Map<string, string[]>();
    for (const v of vs) out.set(text(v.spec), [...(out.get(text(v.spec)) ?? []), v.engine]);
    return [...out].map(([t, names]) => `${names.join(", ")}: ${t}`);
  };
  const meanings = group((s) => flagHelpText({ ...s, default: undefined }));
  if (meanings.length === 1) return { ...first, engines };
  const defaults = group((s) => String(s.default ?? "none"));
  const defaultsDiffer = new Set(vs.map((v) => v.spec.default)).size > 1;
  return {
    kind: first.kind,
    description: meanings.join("; "),
    range: "",
    ...(defaultsDiffer
      ? { default: defaults.join("; ") }
      : first.default !== undefined
        ? { default: first.default }
        : {}),
    engines,
    perEngine: true,
  };
}

/**
 * Refuses flags the chosen engine does not take (they would be silently ignored otherwise).
 * @param commandFlags flags of the command itself, always allowed.
 * @throws UsageError "--concurrency applies to --engine openai, not llama-cpp".
 */
export function assertEngineFlags(
  engine: EngineDefinition,
  values: FlagValues,
  commandFlags: readonly string[],
  kind: "run" | "capture" = "run",
) {
  const takes = (e: EngineDefinition, k: string) =>
    k in e.flags || (kind === "capture" && k in (e.captureFlags ?? {}));
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || k === "help" || commandFlags.includes(k) || takes(engine, k)) continue;
    // an engine that declares a shared flag only to refuse it is not named as taking it
    const owners = ENGINES.filter((e) => takes(e, k) && !e.refusedFlags?.includes(k)).map((e) => e.name);
    throw new UsageError(
      `--${k} applies to ${owners.length ? `--engine ${owners.join(" or ")}` : "another command"}, not ${engine.name}`,
    );
  }
}
