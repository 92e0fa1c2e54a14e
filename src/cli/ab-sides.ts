/**
 * The two sides of `perf-baseline ab`: each one string of engine flags, split as a POSIX shell would (quotes,
 * escapes; shell-quote) and parsed with the same flag definitions, ranges and errors as `bench`.
 */
import { parse } from "shell-quote";
import type { EngineDefinition, RunShape } from "../engines/definition.js";
import { allEngineFlags } from "../engines/registry.js";
import { UsageError } from "../util/errors.js";
import { parseCommandArgs } from "./args.js";
import { engineFlag, engineRunFromFlags, SHAPE_FLAGS } from "./run-flags.js";

/** One side, ready to run. */
export interface AbSideSpec {
  /** "A" or "B" */
  label: string;
  /** the specification as given */
  spec: string;
  engine: EngineDefinition;
  options: unknown;
}

/**
 * Parses one side's engine specification, e.g. `--model x.gguf --threads 1` or
 * `--engine openai --base-url http://127.0.0.1:8080/v1`.
 * @param flag the flag it came from ("a" or "b"), named in errors.
 * @throws UsageError for shell operators or substitutions, a positional word, an unknown or foreign flag, a
 *   shape flag (--rounds etc. are shared and given outside the sides), or a bad value.
 */
export function parseSideSpec(flag: "a" | "b", spec: string, shape: RunShape): AbSideSpec {
  const words: string[] = [];
  for (const w of parse(spec, (name) => `$${name}`)) {
    if (typeof w !== "string")
      throw new UsageError(
        `--${flag}: only engine flags are allowed, not shell syntax (${JSON.stringify(w)})`,
      );
    words.push(w);
  }
  const flags = { ...engineFlag(), ...allEngineFlags() };
  const sharedNames = ["mode", ...Object.keys(SHAPE_FLAGS)];
  const shared = words.find(
    (w) => w.startsWith("--") && sharedNames.includes(w.slice(2).split("=")[0] as string),
  );
  if (shared)
    throw new UsageError(
      `--${flag}: ${shared.split("=")[0]} is shared by both sides: give it outside --a and --b`,
    );
  const command = { name: `ab --${flag}`, summary: "", usage: "", flags, run: async () => 0 };
  try {
    const { values } = parseCommandArgs(command, words);
    const { engine, options } = engineRunFromFlags(values, shape, []);
    return { label: flag.toUpperCase(), spec, engine, options };
  } catch (err) {
    if (err instanceof UsageError && !err.message.startsWith("ab --"))
      throw new UsageError(`--${flag}: ${err.message}`);
    throw err;
  }
}
