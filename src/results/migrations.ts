/**
 * The format history of result files and the migrations that bring an older document to the current
 * SCHEMA_VERSION (as pyperf keeps its format history): every result ever written stays readable, committed
 * baselines above all. A change that old readers cannot take bumps SCHEMA_VERSION and adds one migration
 * here, from the version before it; additions that old documents simply lack are optional fields instead.
 *
 * History:
 * - 1: the first format (engine "llama" meant node-llama-cpp in process).
 * - 2: engines are named by the registry: "llama" became "node-llama-cpp" (beside "llama-cpp", llama.cpp's
 *   C API directly, and "openai"); settings may carry `requested` (optional).
 * - 3: warnings are data, `{code, ...fields, text}` (src/results/warnings.ts), where they were their text only:
 *   an older text warning reads as `{code: "text", text}`.
 */
import { TEXT_WARNING_CODE } from "./warnings.js";

/** One step: a document of version `from` to version `from + 1`. */
interface Migration {
  from: number;
  /** what changed, for error messages and the format history */
  change: string;
  migrate(doc: Record<string, unknown>): Record<string, unknown>;
}

const MIGRATIONS: readonly Migration[] = [
  {
    from: 1,
    change: 'engine "llama" is named "node-llama-cpp"',
    migrate(doc) {
      const engine = doc.engine as Record<string, unknown> | undefined;
      if (engine && engine.name === "llama") return { ...doc, engine: { ...engine, name: "node-llama-cpp" } };
      return doc;
    },
  },
  {
    from: 2,
    change: "warnings are objects {code, ...fields, text}",
    migrate(doc) {
      if (!Array.isArray(doc.warnings)) return doc;
      const warnings = doc.warnings.map((w: unknown) =>
        typeof w === "string" ? { code: TEXT_WARNING_CODE, text: w } : w,
      );
      return { ...doc, warnings };
    },
  },
];

/** The oldest version a migration starts from. */
export const OLDEST_READABLE_VERSION = 1;

/**
 * Brings a parsed result document to `current`, one migration at a time.
 * @returns the migrated document (the input is not modified), or an error text when its version is not one
 *   this tool can read (newer than `current`, or not a version at all).
 */
export function migrateToCurrent(
  doc: Record<string, unknown>,
  current: number,
): { doc: Record<string, unknown> } | { error: string } {
  const version = doc.schema_version;
  if (typeof version !== "number" || !Number.isInteger(version) || version < OLDEST_READABLE_VERSION)
    return {
      error: `field schema_version: ${JSON.stringify(version ?? null)} is not a result format version`,
    };
  if (version > current)
    return {
      error: `field schema_version: ${version} is newer than this tool reads (${current}): upgrade perf-baseline`,
    };
  let out = doc;
  for (let v = version; v < current; v++) {
    const step = MIGRATIONS.find((m) => m.from === v);
    if (!step) return { error: `field schema_version: no migration from ${v} (a bug: please report it)` };
    out = { ...step.migrate(out), schema_version: v + 1 };
  }
  return { doc: out };
}
