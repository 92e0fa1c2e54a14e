/**
 * Raw samples that stay bounded (issue 27, item 6): a serving result of more than MAX_INLINE_SAMPLES samples
 * (one per completed request) is written with its samples in a gzip side file beside it
 * (`NAME.samples.json.gz`, node:zlib), which the result names with its sha256, size and count
 * (`samples_file`); its `samples` is then empty. Reading such a result (src/results/io.ts readResult, and so
 * `gate`, `compare`, `merge`, `history import`, `report`) reads the side file back, checks its sha256 and
 * count, and gives the result with its samples: no reader sees the difference. A result written to standard
 * output keeps its samples inline (there is no folder to put a side file in), and so does a local result (one
 * sample per round: a baseline of many rounds stays one file).
 */
import { createHash } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { atomicWriteWith, writeAllSync } from "../util/atomic-file.js";
import { ResultFileError } from "../util/errors.js";
import { resolveOutputTarget } from "../util/output-path.js";
import { formatBytes, readRegularFile } from "../util/read-file.js";

/** The most samples a result file holds inline; above it they go to the side file. */
export const MAX_INLINE_SAMPLES = 10_000;

/** The largest side file read (compressed), and the most its samples may take uncompressed: 500 MiB each. */
export const MAX_SAMPLES_FILE_BYTES = 500 * 1024 * 1024;

/** What a result records of its side file. */
export interface SamplesFileRef {
  /** the side file's name, in the result file's folder */
  path: string;
  /** sha256 of the compressed file, hex */
  sha256: string;
  /** the compressed file's size */
  bytes: number;
  /** the samples in it */
  count: number;
}

/** The side file's name for a result written to `resultPath`: `out.json` -> `out.samples.json.gz`. */
export function samplesFileName(resultPath: string): string {
  return `${basename(resultPath).replace(/\.json$/i, "")}.samples.json.gz`;
}

/**
 * Writes a serving result's samples to their side file when they are more than MAX_INLINE_SAMPLES and the
 * result goes to a file (atomically; before the result itself, so that a result never names a side file not yet there).
 * @returns the document to write: the result itself, or a copy with empty samples and `samples_file`.
 * @throws OutputNotWritableError when the side file cannot be written.
 */
export function withSamplesFile<R extends { samples: readonly unknown[]; load?: unknown }>(
  resultPath: string,
  result: R,
): R | (R & { samples_file: SamplesFileRef }) {
  if (result.samples.length <= MAX_INLINE_SAMPLES || result.load === undefined) return result;
  const target = resolveOutputTarget(resultPath);
  if (target.kind === "stream") return result;
  const gz = gzipSync(JSON.stringify(result.samples));
  const name = samplesFileName(target.path);
  atomicWriteWith(join(dirname(target.path), name), (fd) => writeAllSync(fd, gz));
  const ref: SamplesFileRef = {
    path: name,
    sha256: createHash("sha256").update(gz).digest("hex"),
    bytes: gz.length,
    count: result.samples.length,
  };
  return { ...result, samples: [], samples_file: ref };
}

/** A `samples_file` member as read from a document, checked; null when absent. @throws ResultFileError */
function refOf(doc: Record<string, unknown>, where: string): SamplesFileRef | null {
  const ref = doc.samples_file as Partial<SamplesFileRef> | undefined;
  if (ref === undefined) return null;
  const ok =
    typeof ref === "object" &&
    ref !== null &&
    typeof ref.path === "string" &&
    basename(ref.path) === ref.path &&
    ref.path.endsWith(".gz") &&
    typeof ref.sha256 === "string" &&
    /^[0-9a-f]{64}$/.test(ref.sha256) &&
    Number.isInteger(ref.count);
  if (!ok)
    throw new ResultFileError(
      where,
      "field samples_file: expected {path (a file name beside it), sha256, bytes, count}",
    );
  return ref as SamplesFileRef;
}

/**
 * The document of a result read from `resultPath` with its samples back from the side file it names (the
 * document as it is when it names none).
 * @throws ResultFileError naming the side file when it is missing, too large, not the file the result names
 *   (sha256), not gzip, or holds another number of samples.
 */
export function joinSamplesFile(doc: unknown, resultPath: string): unknown {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return doc;
  const rec = doc as Record<string, unknown>;
  const ref = refOf(rec, resultPath);
  if (ref === null) return doc;
  const path = join(dirname(resultPath), ref.path);
  const fail = (problem: string, cause?: unknown) => new ResultFileError(path, problem, { cause });
  const gz = readRegularFile(path, { maxBytes: MAX_SAMPLES_FILE_BYTES, what: "a samples file" }, fail);
  const sha = createHash("sha256").update(gz).digest("hex");
  if (sha !== ref.sha256)
    throw fail(
      `sha256 ${sha.slice(0, 12)}... is not the ${ref.sha256.slice(0, 12)}... ${resultPath} names: not its samples file`,
    );
  let samples: unknown;
  try {
    samples = JSON.parse(gunzipSync(gz, { maxOutputLength: MAX_SAMPLES_FILE_BYTES }).toString("utf8"));
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE"
        ? `more than ${formatBytes(MAX_SAMPLES_FILE_BYTES)} uncompressed`
        : (err as Error).message;
    throw fail(`not a gzip file of JSON samples (${why})`, err);
  }
  if (!Array.isArray(samples) || samples.length !== ref.count)
    throw fail(
      `holds ${Array.isArray(samples) ? samples.length : "no"} samples, not the ${ref.count} ${resultPath} names`,
    );
  const { samples_file: _ref, ...rest } = rec;
  return { ...rest, samples };
}
