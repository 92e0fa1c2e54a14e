#!/usr/bin/env bash
# Builds the llama.cpp peers the bench scripts measure the tool against, from the very llama.cpp sources
# node-llama-cpp ships (node_modules/node-llama-cpp/llama/gitRelease.bundle, a git bundle: offline, nothing
# downloaded). Everything is built OUTSIDE the repository (an OUT_DIR inside it is refused) and never committed.
# Idempotent: the sources are cloned once (into OUT_DIR/llama.cpp), and a binary newer than its sources is not
# built again. The last line printed is where the binary is.
#
# Targets:
#   llama-bench   llama.cpp's own llama-bench, compiled against the prebuilt libraries node-llama-cpp loads
#                 (same libllama, same libggml-cpu-<variant>.so), so that bench/engine-gap.ts and
#                 bench/llama-cpp-gap.ts compare with the native loop of the very same binaries. Only
#                 llama-bench.cpp is compiled (about 10 s), the libraries are linked, not rebuilt.
#                 Default OUT_DIR /tmp/perf-baseline-llama-bench.
#   c-loop        bench/llama-cpp-embed-loop.cpp (the minimal C-API loops bench/llama-cpp-gap.ts measures the
#                 llama-cpp engine against: embedding calls, and greedy generation or prompt processing with
#                 llama.cpp's CPU sampler, a plain argmax or llama.cpp's backend sampler), against the same
#                 prebuilt libraries (about 5 s).
#                 Default OUT_DIR /tmp/perf-baseline-llama-bench.
#   llama-server  a stock llama.cpp `llama-server` (cmake, Release, GGML_NATIVE=ON), so that `bench --engine
#                 openai` can be tried against a real OpenAI-compatible server on loopback
#                 (bench/llama-server-check.sh). No web UI download (LLAMA_USE_PREBUILT_UI=OFF), no HTTPS
#                 (LLAMA_OPENSSL=OFF), no curl. About 25 min on 2 cores, 70 min on 2 busy ones (nice'd; run it
#                 in the background; JOBS=N sets the parallel jobs, default 2). Default OUT_DIR /tmp/llama-server-build.
#
# Usage: bench/build-llama.sh llama-bench|c-loop|llama-server [OUT_DIR]
# Then:  npx tsx bench/engine-gap.ts --arms direct,llama-bench --llama-bench OUT_DIR/llama-bench
#        npx tsx bench/llama-cpp-gap.ts --mode embedding --arms llama-cpp-t1,c-loop-t1 --c-loop OUT_DIR/llama-cpp-embed-loop
#        npx tsx bench/llama-cpp-gap.ts --mode generation --arms llama-cpp-t1,c-loop-t1 --c-loop OUT_DIR/llama-cpp-embed-loop
#        OUT_DIR/build/bin/llama-server -m tiny.gguf --alias tiny --port 8080
#        (see README, "Benchmarking an OpenAI-compatible server", for the flags each server needs)
set -euo pipefail
me="build-llama"
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  llama-bench | c-loop) default_out=/tmp/perf-baseline-llama-bench ;;
  llama-server) default_out=/tmp/llama-server-build ;;
  "") echo "$me: a target is required: llama-bench, c-loop or llama-server (see --help)" >&2; exit 2 ;;
  *) echo "$me: unknown target \"$1\" (llama-bench, c-loop or llama-server; see --help)" >&2; exit 2 ;;
esac
target="$1"
case "${2:-}" in -*) echo "$me: unknown option \"$2\" (see --help)" >&2; exit 2 ;; esac
[ $# -le 2 ] || { echo "$me: unexpected argument \"$3\" (see --help)" >&2; exit 2; }
cd "$(dirname "$0")/.."
repo="$PWD"
out="$(realpath -m "${2:-$default_out}")"
case "$out/" in "$repo/"*) echo "$me: $out is inside the repository: build outside it" >&2; exit 2 ;; esac
bins="$repo/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
bundle="$repo/node_modules/node-llama-cpp/llama/gitRelease.bundle"
[ -f "$bundle" ] || { echo "$me: $bundle not found (run npm ci first)" >&2; exit 2; }
src="$out/llama.cpp"
mkdir -p "$out"
# the sources: a clone of the bundle, again only when node-llama-cpp ships another commit
head="$(git bundle list-heads "$bundle" | awk '$2 == "HEAD" { print $1 }')"
if [ "$(git -C "$src" rev-parse HEAD 2>/dev/null || true)" != "$head" ]; then
  rm -rf "$src" "$src.partial"
  git -c advice.detachedHead=false clone --quiet "$bundle" "$src.partial"
  mv "$src.partial" "$src"
fi

# true when the file $1 exists and is newer than every later argument
up_to_date() {
  local bin="$1" dep
  shift
  [ -e "$bin" ] || return 1
  for dep in "$@"; do [ "$bin" -nt "$dep" ] || return 1; done
}

# compiles against the shipped headers and links node-llama-cpp's prebuilt libraries (nothing of llama.cpp rebuilt)
cxx=(nice -n 10 g++ -O2 -DNDEBUG -std=c++17 -I"$src/include" -I"$src/ggml/include")
libs=(-l:libllama.v0.4.0.so -l:libggml.v0.4.0.so -l:libggml-base.so -Wl,-rpath,"$bins" -pthread)
if [ "$target" != llama-server ]; then
  [ -d "$bins" ] || { echo "$me: $bins not found (run npm ci first)" >&2; exit 2; }
fi

case "$target" in
  llama-bench)
    bench_src=("$src/tools/llama-bench/llama-bench.cpp" "$src/tools/llama-bench/main.cpp")
    up_to_date "$out/llama-bench" "${bench_src[@]}" "$bins/libllama.v0.4.0.so" ||
      "${cxx[@]}" -I"$src/common" -I"$src/vendor" "${bench_src[@]}" -o "$out/llama-bench" \
        -L"$bins" -l:libllama-common.so "${libs[@]}"
    echo "$out/llama-bench (run it from $bins: it loads libggml-cpu-*.so from the working directory)"
    ;;
  c-loop)
    up_to_date "$out/llama-cpp-embed-loop" bench/llama-cpp-embed-loop.cpp "$src/include/llama.h" "$bins/libllama.v0.4.0.so" ||
      "${cxx[@]}" bench/llama-cpp-embed-loop.cpp -o "$out/llama-cpp-embed-loop" -L"$bins" "${libs[@]}" -ldl
    echo "$out/llama-cpp-embed-loop"
    ;;
  llama-server)
    jobs="${JOBS:-2}"
    generator=()
    command -v ninja >/dev/null && generator=(-G Ninja)
    nice -n 10 cmake -S "$src" -B "$out/build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
      -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF \
      -DGGML_NATIVE=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF >"$out/cmake-configure.log"
    nice -n 10 cmake --build "$out/build" --target llama-server -j "$jobs"
    echo "$out/build/bin/llama-server"
    ;;
esac
