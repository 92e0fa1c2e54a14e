/**
 * Where the configuration file is, as git finds its repository: perf-baseline.config.json in the working
 * folder or the nearest folder above it. The baselines it names are relative to the folder of the file, so
 * that `gate` run from a subfolder (or any folder of a clone) finds docs/baseline-<mode>.json. Without a
 * configuration file the built-in defaults apply, their baseline paths relative to the working folder.
 */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { ResultFileError } from "../util/errors.js";
import type { Mode } from "../workload/workload.js";
import { DEFAULT_CONFIG_PATH, type GateConfig } from "./gate-config.js";
import { readGateConfig } from "./read-config.js";
import { type ReleaseTest, releaseTestsOf } from "./release-tests.js";

/**
 * The nearest perf-baseline.config.json: in `from` or a folder above it, up to the root.
 * @returns its path, or null when there is none.
 */
export function findConfigFile(from: string = process.cwd()): string | null {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, DEFAULT_CONFIG_PATH);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** The configuration a command runs with, and where it came from. */
export interface FoundConfig {
  config: GateConfig;
  /** the file read (as given, or as found); null: the built-in defaults */
  path: string | null;
  /** the folder searched from (the working folder) */
  searchedFrom: string;
  /** the release tests (src/config/release-tests.ts), their baseline paths made relative like `baselines` */
  tests: ReleaseTest[];
}

/**
 * The configuration: --config when given, else the nearest perf-baseline.config.json (findConfigFile), else
 * the built-in defaults. Relative baseline paths of a file are made relative to the file's folder (written
 * relative to the working folder, so that in the file's own folder they read as written).
 * @throws ConfigFileError as readGateConfig (src/config/read-config.ts) does.
 */
export function findGateConfig(explicit?: string, cwd: string = process.cwd()): FoundConfig {
  const path = explicit ?? findConfigFile(cwd);
  if (path === null) {
    const { config } = readGateConfig(undefined);
    return { config, path: null, searchedFrom: cwd, tests: releaseTestsOf(config) };
  }
  const { config } = readGateConfig(path);
  const dir = dirname(resolve(cwd, path));
  const at = (p: string) => (isAbsolute(p) ? p : relative(cwd, join(dir, p)) || ".");
  const baselines = {
    generation: at(config.baselines.generation),
    embedding: at(config.baselines.embedding),
  };
  const tests = releaseTestsOf(config).map((t) => ({ ...t, baseline: at(t.baseline) }));
  return { config: { ...config, baselines }, path, searchedFrom: cwd, tests };
}

/**
 * Checks that the configured baseline of `mode` exists, before it is read.
 * @param give how the calling command takes another baseline. Defaults to `gate`'s "--baseline FILE".
 * @throws ResultFileError (exit 5), one line: where it looked, and how to give one or make one
 *   (`perf-baseline baseline`).
 */
export function assertConfiguredBaseline(
  found: FoundConfig,
  mode: Mode,
  give = "give one with --baseline FILE",
): void {
  const path = found.config.baselines[mode];
  if (existsSync(path)) return;
  const from = found.path
    ? `the ${mode} baseline named by ${found.path}`
    : `the default ${mode} baseline: no ${DEFAULT_CONFIG_PATH} in ${found.searchedFrom} or a folder above`;
  throw new ResultFileError(
    path,
    `file not found (${from}); ${give}, or make one with \`perf-baseline baseline\` (in the folder of the configuration file)`,
  );
}

/**
 * Checks that a release test's baseline exists, before it is read.
 * @throws ResultFileError (exit 5), one line: the test, where it looked, and the command that captures it
 *   (`perf-baseline baseline --test NAME`).
 */
export function assertReleaseBaseline(found: FoundConfig, test: ReleaseTest): void {
  if (existsSync(test.baseline)) return;
  const from = found.path
    ? `named by ${found.path}`
    : `a default: no ${DEFAULT_CONFIG_PATH} in ${found.searchedFrom} or a folder above`;
  const name = /^[\w.@+-]+$/.test(test.name) ? test.name : `'${test.name}'`;
  throw new ResultFileError(
    test.baseline,
    `file not found (the baseline of release test ${test.name}, ${from}); capture it with \`perf-baseline baseline --test ${name}\` (in the folder of the configuration file)`,
  );
}
