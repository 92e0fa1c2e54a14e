import { DEFAULT_EMBEDDING_THREADS, DEFAULT_GENERATION_THREADS } from "../engines/node-llama-cpp/engine.js";
import { DEFAULT_MODEL_SEED, DEFAULT_PRESET, PRESETS } from "../models/presets.js";
import type { Mode } from "../workload/workload.js";
import { choiceFlag, type FlagSpec, intFlag, stringFlag } from "./args.js";

/** --preset and --seed: which dummy model runs when no --model is given. */
export const DUMMY_MODEL_FLAGS: Record<string, FlagSpec> = {
  preset: {
    type: "string",
    description: `dummy model preset when no --model: ${Object.keys(PRESETS).join(", ")}`,
    default: DEFAULT_PRESET,
  },
  seed: { type: "string", description: "dummy model weight seed", default: String(DEFAULT_MODEL_SEED) },
};

/** --threads and --embedding-threads, with the engine's measured defaults. */
export const THREAD_FLAGS: Record<string, FlagSpec> = {
  threads: {
    type: "string",
    description: "compute threads for generation",
    default: String(DEFAULT_GENERATION_THREADS),
  },
  "embedding-threads": {
    type: "string",
    description: "compute threads for embedding",
    default: String(DEFAULT_EMBEDDING_THREADS),
  },
};

/** The model a llama run uses: --model PATH, else the dummy model of --preset and --seed. */
export function modelSourceFromFlags(values: Record<string, unknown>): {
  model?: string;
  preset: string;
  seed: number;
} {
  return {
    model: stringFlag(values, "model"),
    preset: choiceFlag(values, "preset", Object.keys(PRESETS), DEFAULT_PRESET),
    seed: intFlag(values, "seed", DEFAULT_MODEL_SEED, { allowZero: true, max: 2 ** 32 - 1 }),
  };
}

/** The choices of a --mode flag that can name both modes at once (baseline, check-release). */
export const MODE_SELECTION = ["both", "generation", "embedding"] as const;

/** The modes a --mode both|generation|embedding flag selects; "both" when absent. */
export function selectedModes(values: Record<string, unknown>): Mode[] {
  const which = choiceFlag(values, "mode", MODE_SELECTION, "both");
  return which === "both" ? ["generation", "embedding"] : [which];
}
