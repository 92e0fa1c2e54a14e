/**
 * The tests a release is gated on (`release_tests` of perf-baseline.config.json, issue 22 item 4): each a
 * name, a mode, the run flags that shape it (`--prompt-tokens`, `--depth`, `--max-new-tokens`...), the metrics
 * it is gated on, its baseline file and whether its instructions are counted. Without the key the release
 * tests are the specification's two, one per mode, on their configured baselines (today's check-release).
 * Pure: the schema, the defaults, the file-safe name and the selection by --mode and --test.
 */
import { z } from "zod";
import { UsageError } from "../util/errors.js";
import type { Mode } from "../workload/workload.js";

/** Where the baselines of the tests other than the specification's two live, relative to the configuration. */
export const RELEASE_BASELINE_DIR = "docs/baselines";

/** A flag value as the configuration gives it: a number, a string, or true for a boolean flag. */
const flagValue = z.union([z.number(), z.string(), z.boolean()]);

/** A run flag's name as on the command line, without the dashes: `prompt-tokens`. */
const flagName = z.string().regex(/^[a-z][a-z0-9-]*$/, "a flag name without dashes, e.g. prompt-tokens");

/**
 * The schema of `release_tests` (at least one test, names unique), its metrics among `metricNames` (the
 * gateable metrics of src/config/gate-config.ts, passed in so that the two modules do not import each other).
 *
 * One release test of the configuration. `name` is the test's name as llama-bench writes it (`pp512`,
 * `tg32 @ d512`; the specification's two are `generation` and `embedding`), at most 64 characters, no comma
 * (a `--test` list is comma-separated).
 */
export function releaseTestsSchema<M extends readonly [string, ...string[]]>(metricNames: M) {
  const test = z
    .object({
      name: z
        .string()
        .min(1)
        .max(64)
        .regex(/^[^,]+$/, "no comma"),
      mode: z.enum(["generation", "embedding"]),
      /** the run flags that make the test (they win over the command line's for this test). Defaults to none. */
      flags: z.record(flagName, flagValue).default({}),
      /** the metrics gated (src/gate/metrics.ts); `--metric` overrides. Defaults to the test's default metric. */
      metrics: z.array(z.enum(metricNames)).min(1).optional(),
      /** the baseline file. Defaults to the mode's `baselines` entry for `generation`/`embedding`, else docs/baselines/<file name>.json */
      baseline: z.string().min(1).optional(),
      /** whether the test is instruction-counted (where valgrind is present). Defaults to false. */
      counted: z.boolean().default(false),
    })
    .strict()
    .refine((t) => !(t.counted && t.flags["max-new-tokens"] === 0), {
      message: "a prompt-only test (max-new-tokens 0) cannot be counted: its count is per output token",
      path: ["counted"],
    });
  return z
    .array(test)
    .min(1)
    .refine((ts) => new Set(ts.map((t) => t.name)).size === ts.length, {
      message: "test names must be unique",
    });
}

/** A release test as the configuration gives it. */
export interface ReleaseTestEntry {
  name: string;
  mode: Mode;
  flags: Record<string, number | string | boolean>;
  metrics?: readonly string[] | undefined;
  baseline?: string | undefined;
  counted: boolean;
}

/** A release test with every default filled in. */
export interface ReleaseTest {
  name: string;
  mode: Mode;
  /** the run flags that make the test, by flag name without dashes */
  flags: Record<string, number | string | boolean>;
  /** the metrics gated; [] for the test's default metric */
  metrics: string[];
  /** the baseline file (as the configuration names it, before it is made relative to the configuration's folder) */
  baseline: string;
  counted: boolean;
}

/**
 * A file-safe form of a test name: letters, digits, dots and dashes, other runs of characters one dash
 * (`tg32 @ d512` -> `tg32-d512`, `pp512+tg128` -> `pp512-tg128`).
 */
export function testFileName(name: string): string {
  const safe = name
    .replace(/[^A-Za-z0-9.]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .replace(/^\.+/, "");
  return safe === "" ? "test" : safe;
}

/** The default baseline of a test: the mode's `baselines` entry for the specification's two, else docs/baselines/<name>.json. */
function defaultBaseline(t: ReleaseTestEntry, baselines: Record<Mode, string>): string {
  if (t.name === t.mode && Object.keys(t.flags).length === 0) return baselines[t.mode];
  return `${RELEASE_BASELINE_DIR}/${testFileName(t.name)}.json`;
}

/**
 * The release tests of a configuration, defaults filled in: the `release_tests` list, else the
 * specification's two (`generation` and `embedding`, counted, on `baselines`).
 */
export function releaseTestsOf(config: {
  release_tests?: ReleaseTestEntry[] | undefined;
  baselines: Record<Mode, string>;
}): ReleaseTest[] {
  const entries: ReleaseTestEntry[] = config.release_tests ?? [
    { name: "generation", mode: "generation", flags: {}, counted: true },
    { name: "embedding", mode: "embedding", flags: {}, counted: true },
  ];
  return entries.map((t) => ({
    name: t.name,
    mode: t.mode,
    flags: t.flags,
    metrics: [...(t.metrics ?? [])],
    baseline: t.baseline ?? defaultBaseline(t, config.baselines),
    counted: t.counted,
  }));
}

/**
 * The tests a run covers: those of the selected modes, and of them the ones named (`--test`, all when none).
 * @throws UsageError for a name the configuration does not list, or a selection that leaves no test.
 */
export function selectReleaseTests(
  tests: readonly ReleaseTest[],
  modes: readonly Mode[],
  names: readonly string[],
): ReleaseTest[] {
  for (const n of names) {
    if (!tests.some((t) => t.name === n))
      throw new UsageError(
        `--test: no release test "${n}" in the configuration (tests: ${tests.map((t) => t.name).join(", ")})`,
      );
  }
  const chosen = tests.filter(
    (t) => modes.includes(t.mode) && (names.length === 0 || names.includes(t.name)),
  );
  if (chosen.length === 0)
    throw new UsageError(`--test ${names.join(",")} and --mode ${modes.join(",")} select no release test`);
  return chosen;
}
