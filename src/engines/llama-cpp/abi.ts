/**
 * The llama.cpp build the FFI declarations of ffi.ts were written for. The struct layouts (sizes, field
 * offsets) are those of the llama.h/ggml.h in the llama.cpp sources node-llama-cpp 3.21.1 ships
 * (node_modules/node-llama-cpp/llama/gitRelease.bundle, release "v0.4.0"); test/unit/llama-cpp-abi.test.ts
 * compiles a C program against those headers and checks every declared size and offset. At run time the
 * engine reads the version symbols the libraries export and refuses any other build with a one-line error
 * (a different layout would corrupt memory instead of failing).
 *
 * What the libraries export (`nm -D --defined-only`): libggml-base.so `ggml_version()`, `ggml_commit()`;
 * libllama `llama_version()`; libllama-common.so (optional, not otherwise used) the data symbols
 * `LLAMA_BUILD_NUMBER` (int) and `LLAMA_COMMIT` (const char *).
 */

/** The release tag node-llama-cpp names this llama.cpp by (its llama/llama.cpp.info.json). */
export const LLAMA_CPP_RELEASE = "v0.4.0";

/** `ggml_version()` of the libraries the layouts were written for. */
export const EXPECTED_GGML_VERSION = "0.23.0";

/** `llama_version()` of the libraries the layouts were written for. */
export const EXPECTED_LLAMA_VERSION = "0.4.0-dev";

/**
 * `ggml_commit()` values of builds of this very source tree: 5b4ebc5 is the upstream commit node-llama-cpp's
 * prebuilt binaries report; 80fb11a is the single (squashed) commit of the git bundle node-llama-cpp ships,
 * which is what a build from that bundle reports (bench/build-llama.sh clones it).
 */
export const EXPECTED_GGML_COMMITS: readonly string[] = ["5b4ebc5", "80fb11a"];

/** `LLAMA_BUILD_NUMBER` of libllama-common.so for those builds (the bundle's history is one commit). */
export const EXPECTED_LLAMA_BUILD_NUMBER = 1;

/** The version symbols read from a set of libraries. */
export interface LibraryVersions {
  ggml_version: string;
  ggml_commit: string;
  llama_version: string;
  /** null when the folder has no libllama-common.so */
  llama_build_number: number | null;
  llama_commit: string | null;
}

/**
 * Compares the versions read from the libraries with the ones the layouts were written for.
 * @returns null when they match, else a one-line description of the first difference and the fix.
 */
export function abiMismatch(found: LibraryVersions, dir: string): string | null {
  const wanted = `ggml ${EXPECTED_GGML_VERSION} (commit ${EXPECTED_GGML_COMMITS.join(" or ")}), llama ${EXPECTED_LLAMA_VERSION}`;
  const fix = `use a build of llama.cpp ${LLAMA_CPP_RELEASE} (${wanted}), or update src/engines/llama-cpp/ffi.ts and abi.ts for the new headers and run test/unit/llama-cpp-abi.test.ts`;
  const differs = (what: string, got: string | number, want: string) =>
    `the llama.cpp libraries in ${dir} report ${what} ${got}, the llama-cpp engine's struct layouts were written for ${want}: ${fix}`;
  if (found.ggml_version !== EXPECTED_GGML_VERSION)
    return differs("ggml version", found.ggml_version, EXPECTED_GGML_VERSION);
  if (!EXPECTED_GGML_COMMITS.includes(found.ggml_commit))
    return differs("ggml commit", found.ggml_commit, EXPECTED_GGML_COMMITS.join(" or "));
  if (found.llama_version !== EXPECTED_LLAMA_VERSION)
    return differs("llama version", found.llama_version, EXPECTED_LLAMA_VERSION);
  if (found.llama_build_number !== null && found.llama_build_number !== EXPECTED_LLAMA_BUILD_NUMBER)
    return differs("llama.cpp build number", found.llama_build_number, String(EXPECTED_LLAMA_BUILD_NUMBER));
  return null;
}
