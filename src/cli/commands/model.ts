import { writeDummyModel } from "../../models/dummy-model.js";
import { DEFAULT_MODEL_SEED, DEFAULT_PRESET, PRESETS, presetParameterCount } from "../../models/presets.js";
import { EXIT, UsageError } from "../../util/errors.js";
import { assertWritablePath } from "../../util/output-path.js";
import { type Command, choiceFlag, intFlag, stringFlag } from "../args.js";

/** `perf-baseline model`: writes a dummy-model preset to a path and prints what it wrote as JSON. */
export const modelCommand: Command = {
  name: "model",
  summary: "Write a dummy-model preset (seeded weights, the project's own vocabulary) to a GGUF file.",
  usage: "perf-baseline model --output PATH.gguf [--preset tiny|small] [--seed N]",
  flags: {
    output: { type: "string", short: "o", description: "the GGUF file to write (atomically)" },
    preset: {
      type: "string",
      description: `preset: ${Object.keys(PRESETS).join(", ")}`,
      default: DEFAULT_PRESET,
    },
    seed: { type: "string", description: "weight seed", default: String(DEFAULT_MODEL_SEED) },
    list: { type: "boolean", description: "list the presets instead" },
  },
  async run(values) {
    if (values.list) {
      const list = Object.values(PRESETS).map((p) => ({ ...p, parameter_count: presetParameterCount(p) }));
      process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      return EXIT.ok;
    }
    const output = stringFlag(values, "output");
    if (output === undefined) throw new UsageError("model: --output PATH.gguf is required");
    const presetName = choiceFlag(values, "preset", Object.keys(PRESETS), DEFAULT_PRESET);
    const seed = intFlag(values, "seed", DEFAULT_MODEL_SEED, { allowZero: true, max: 2 ** 32 - 1 });
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
