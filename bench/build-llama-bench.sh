#!/usr/bin/env bash
# Builds llama.cpp's own llama-bench against the prebuilt libraries node-llama-cpp loads, so that
# bench/engine-gap.ts can compare the tool with the native loop of the very same binaries
# (same libllama, same libggml-cpu-<variant>.so). Offline: the llama.cpp sources come from the git bundle
# node-llama-cpp ships (node_modules/node-llama-cpp/llama/gitRelease.bundle); only llama-bench.cpp is
# compiled (about 10 s), the libraries are linked, not rebuilt.
#
# Usage: bench/build-llama-bench.sh [OUT_DIR]   (default /tmp/perf-baseline-llama-bench)
# Then:  npx tsx bench/engine-gap.ts --arms direct,llama-bench --llama-bench OUT_DIR/llama-bench
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/perf-baseline-llama-bench}"
bins="$PWD/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
bundle="$PWD/node_modules/node-llama-cpp/llama/gitRelease.bundle"
src="$out/llama.cpp"
mkdir -p "$out"
[ -d "$src" ] || git clone --quiet "$bundle" "$src"
g++ -O2 -DNDEBUG -std=c++17 -I"$src/include" -I"$src/ggml/include" -I"$src/common" -I"$src/vendor" \
  "$src/tools/llama-bench/llama-bench.cpp" "$src/tools/llama-bench/main.cpp" -o "$out/llama-bench" \
  -L"$bins" -l:libllama-common.so -l:libllama.v0.4.0.so -l:libggml.v0.4.0.so -l:libggml-base.so \
  -Wl,-rpath,"$bins" -pthread
echo "$out/llama-bench (run it from $bins: it loads libggml-cpu-*.so from the working directory)"
