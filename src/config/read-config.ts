import { existsSync } from "node:fs";
import { ConfigFileError } from "../util/errors.js";
import { readRegularText } from "../util/read-file.js";
import { DEFAULT_CONFIG_PATH, defaultGateConfig, type GateConfig, parseGateConfig } from "./gate-config.js";

/** The largest configuration file read: 1 MiB (the documented one is under 2 KB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Reads the gate configuration. With no explicit path, perf-baseline.config.json in the working folder is
 * read when it exists, and the built-in defaults (the same values) are used when it does not.
 * @param explicit a path the user named (--config): it must exist.
 * The file must be a regular file (a FIFO or device is refused before it is opened) of at most 1 MiB.
 * @throws ConfigFileError naming the file and the problem (missing, not a regular file, too large, not JSON,
 *   a bad or unknown field).
 */
export function readGateConfig(explicit?: string): { config: GateConfig; path: string | null } {
  const path = explicit ?? DEFAULT_CONFIG_PATH;
  if (explicit === undefined && !existsSync(path)) return { config: defaultGateConfig(), path: null };
  const text = readRegularText(
    path,
    { maxBytes: MAX_CONFIG_BYTES, what: "a configuration file" },
    (problem) => new ConfigFileError(path, problem),
  );
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigFileError(path, `not valid JSON (${(err as Error).message})`);
  }
  return { config: parseGateConfig(doc, path), path };
}
