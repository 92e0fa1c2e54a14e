import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { atomicWriteText } from "../util/atomic-file.js";
import { ModelFileError, UsageError } from "../util/errors.js";
import { readRegularText, statRegularFile } from "../util/read-file.js";
import { writeDummyModel } from "./dummy-model.js";
import { sha256File } from "./model-info.js";
import { PRESETS } from "./presets.js";

/**
 * Version of the dummy-model generator. Bump it whenever the bytes a preset and seed produce change, so that
 * cached files and baselines of the old generator are not mistaken for the new one.
 */
export const GENERATOR_VERSION = 1;

/** The folder models are cached in: $XDG_CACHE_HOME/perf-baseline/models, else ~/.cache/perf-baseline/models. */
export function modelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CACHE_HOME && env.XDG_CACHE_HOME !== "" ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(base, "perf-baseline", "models");
}

/** The largest sha256 sidecar of a cached model read: 1 KiB (it holds 64 hex digits and a newline). */
const MAX_SIDECAR_BYTES = 1024;

/** A dummy model ready on disk. */
export interface CachedModel {
  path: string;
  sha256: string;
  /** true when this call wrote the file (a cache miss or a damaged cached copy) */
  generated: boolean;
  generate_s: number;
}

/**
 * Returns the cached dummy model for a preset and seed, writing it first when it is missing or its sha256
 * no longer matches the one recorded when it was written.
 * @throws UsageError for an unknown preset; ModelFileError when the cached model or its sha256 file is not a
 *   regular file (a FIFO is refused before it is opened, never read).
 */
export function ensureDummyModel(presetName: string, seed: number, cacheDir = modelCacheDir()): CachedModel {
  const preset = PRESETS[presetName];
  if (!preset)
    throw new UsageError(`unknown model preset "${presetName}" (known: ${Object.keys(PRESETS).join(", ")})`);
  const path = join(cacheDir, `dummy-${preset.name}-seed${seed}-g${GENERATOR_VERSION}.gguf`);
  const sidecar = `${path}.sha256`;
  // a cache entry that is not a regular file (a FIFO, a folder) is refused before it is opened: remove it
  const fail = (at: string) => (problem: string) =>
    new ModelFileError(at, `${problem} in the model cache (remove it; the cache rebuilds it)`);
  if (existsSync(path) && existsSync(sidecar)) {
    const size = statRegularFile(path, fail(path)).size;
    const recorded = readRegularText(
      sidecar,
      { maxBytes: MAX_SIDECAR_BYTES, what: "a cached model's sha256 file" },
      fail(sidecar),
    ).trim();
    if (sha256File(path, size) === recorded)
      return { path, sha256: recorded, generated: false, generate_s: 0 };
  } else if (existsSync(path)) statRegularFile(path, fail(path));
  else if (existsSync(sidecar)) statRegularFile(sidecar, fail(sidecar));
  const t0 = process.hrtime.bigint();
  const written = writeDummyModel(preset, seed, path);
  atomicWriteText(sidecar, `${written.sha256}\n`);
  return {
    path,
    sha256: written.sha256,
    generated: true,
    generate_s: Number(process.hrtime.bigint() - t0) / 1e9,
  };
}
