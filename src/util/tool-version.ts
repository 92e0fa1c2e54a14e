import { fileURLToPath } from "node:url";
import { readRegularText } from "./read-file.js";

let cached: string | null = null;

/** This tool's version, from its package.json (a regular file of at most 1 MiB; anything else is a broken install). */
export function toolVersion(): string {
  if (cached === null) {
    const path = fileURLToPath(new URL("../../package.json", import.meta.url));
    const text = readRegularText(
      path,
      { maxBytes: 1 << 20, what: "the tool's package.json" },
      (problem) => new Error(`${path}: ${problem} (a broken install: reinstall perf-baseline)`),
    );
    cached = (JSON.parse(text) as { version: string }).version;
  }
  return cached;
}
