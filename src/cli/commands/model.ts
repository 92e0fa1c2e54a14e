import { LOCAL_FLAGS } from "../../engines/local/options.js";
import { writeDummyModel } from "../../models/dummy-model.js";
import { DEFAULT_MODEL_SEED, DEFAULT_PRESET, PRESETS, presetParameterCount } from "../../models/presets.js";
import { EXIT, UsageError } from "../../util/errors.js";
import { assertWritablePath } from "../../util/output-path.js";
import { type Command, type FlagTable, flagReader } from "../args.js";

/** The flags of `model`: the preset and seed are the local engines' (one declaration, one range). */
const FLAGS: FlagTable = {
  output: { kind: "path", short: "o", description: "the GGUF file to write (atomically)" },
  preset: { ...LOCAL_FLAGS.preset, description: "preset" },
  seed: { ...LOCAL_FLAGS.seed, description: "weight seed" },
  list: { kind: "boolean", description: "list the presets instead" },
};

/** `perf-baseline model`: writes a dummy-model preset to a path and prints what it wrote as JSON. */
export const modelCommand: Command = {
  name: "model",
  summary: "Write a dummy-model preset (seeded weights, the project's own vocabulary) to a GGUF file.",
  usage: "perf-baseline model --output PATH.gguf [--preset tiny|small] [--seed N]",
  flags: FLAGS,
  async run(values) {
    const read = flagReader(FLAGS, values);
    if (read.boolean("list")) {
      const list = Object.values(PRESETS).map((p) => ({ ...p, parameter_count: presetParameterCount(p) }));
      process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      return EXIT.ok;
    }
    const output = read.string("output");
    if (output === undefined) throw new UsageError("model: --output PATH.gguf is required");
    const presetName = read.choice("preset", DEFAULT_PRESET);
    const seed = read.int("seed", DEFAULT_MODEL_SEED);
    assertWritablePath(output);
    const preset = PRESETS[presetName];
    if (!preset) throw new UsageError(`unknown preset ${presetName}`);
    const t0 = process.hrtime.bigint();
    const written = writeDummyModel(preset, seed, output);
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    process.stdout.write(
      `${JSON.stringify({ ...written, preset: presetName, seed, parameter_count: presetParameterCount(preset), elapsed_s: elapsed }, null, 2)}\n`,
    );
    return EXIT.ok;
  },
};
