/**
 * The release tests on the command line (`baseline`, `check-release`): `--test NAME` picks some of the
 * configuration's `release_tests` (src/config/release-tests.ts), and a test's own flags make its run's flag
 * values.
 */
import type { FoundConfig } from "../config/find-config.js";
import { type ReleaseTest, selectReleaseTests } from "../config/release-tests.js";
import { ConfigFileError, UsageError } from "../util/errors.js";
import type { FlagSpec, FlagTable, FlagValues } from "../util/flags.js";
import { selectedModes } from "./common-flags.js";
import { status } from "./progress.js";

/** --test: repeatable, each a comma-separated list of the configuration's release test names. */
export const TEST_FLAG = {
  kind: "list",
  multiple: true,
  description:
    "the configuration's release tests to run (release_tests: generation, embedding, pp512, 'tg32 @ d512'); may be repeated",
  default: "every release test of the selected modes",
} as const satisfies FlagSpec;

/**
 * The test names given by --test, in order, each once; [] when absent.
 * @throws UsageError for an empty value.
 */
export function readTestNames(values: FlagValues): string[] {
  const raw = values.test;
  if (raw === undefined) return [];
  const given = (Array.isArray(raw) ? raw : [raw]) as string[];
  const names = given.flatMap((g) => g.split(",").map((p) => p.trim())).filter((p) => p !== "");
  if (names.length === 0) throw new UsageError("--test needs a value");
  return [...new Set(names)];
}

/**
 * The release tests a command runs: the configuration's, of the modes --mode selects, the ones --test names.
 * @throws UsageError for a name the configuration does not list or an empty selection.
 */
export function chosenReleaseTests(found: FoundConfig, values: FlagValues): ReleaseTest[] {
  return selectReleaseTests(found.tests, selectedModes(values), readTestNames(values));
}

/**
 * The flag values of one test's run: the command line's, with the test's own flags in place of any the
 * command line also gives (a status line says which were set aside). Numbers become the strings the parser
 * would give; `true` a boolean flag.
 * @param runTable the flags a run takes (the test's flags must be among them).
 * @param configPath the configuration file, for the error.
 * @throws ConfigFileError naming the test and a flag that is not a run flag, or a value of the wrong kind.
 */
export function testRunValues(
  test: ReleaseTest,
  values: FlagValues,
  runTable: FlagTable,
  configPath: string | null,
): FlagValues {
  const out: FlagValues = { ...values };
  const where = configPath ?? "the built-in configuration";
  for (const [name, value] of Object.entries(test.flags)) {
    const spec = runTable[name];
    const problem = (what: string) =>
      new ConfigFileError(where, `release test ${test.name}: flag ${name}: ${what}`);
    if (!spec) throw problem("not a flag of a run");
    if ((spec.kind === "boolean") !== (typeof value === "boolean"))
      throw problem(spec.kind === "boolean" ? "give true or false" : "give a value, not true or false");
    const given = typeof value === "boolean" ? value : String(value);
    if (values[name] !== undefined && values[name] !== given)
      status(
        `--${name} ${String(values[name])} is not used for test ${test.name}: its configuration sets ${given}`,
      );
    if (given === false) delete out[name];
    else out[name] = given;
  }
  return out;
}
