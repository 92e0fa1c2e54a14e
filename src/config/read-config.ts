import { existsSync, readFileSync } from "node:fs";
import { ConfigFileError } from "../util/errors.js";
import { DEFAULT_CONFIG_PATH, defaultGateConfig, type GateConfig, parseGateConfig } from "./gate-config.js";

/**
 * Reads the gate configuration. With no explicit path, perf-baseline.config.json in the working folder is
 * read when it exists, and the built-in defaults (the same values) are used when it does not.
 * @param explicit a path the user named (--config): it must exist.
 * @throws ConfigFileError naming the file and the problem (missing, not JSON, a bad or unknown field).
 */
export function readGateConfig(explicit?: string): { config: GateConfig; path: string | null } {
  const path = explicit ?? DEFAULT_CONFIG_PATH;
  if (explicit === undefined && !existsSync(path)) return { config: defaultGateConfig(), path: null };
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigFileError(path, code === "ENOENT" ? "file not found" : `cannot be read (${code})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigFileError(path, `not valid JSON (${(err as Error).message})`);
  }
  return { config: parseGateConfig(doc, path), path };
}
