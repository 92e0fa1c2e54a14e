#!/usr/bin/env bash
# Builds bench/llama-cpp-embed-loop.cpp (the minimal C-API embedding loop bench/llama-cpp-gap.ts measures
# the llama-cpp engine against) against node-llama-cpp's prebuilt libraries, with the headers of the llama.cpp
# sources node-llama-cpp ships (its git bundle, cloned as bench/build-llama-bench.sh does). Offline, ~5 s.
#
# Usage: bench/build-llama-cpp-loop.sh [OUT_DIR]   (default /tmp/perf-baseline-llama-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/perf-baseline-llama-bench}"
bins="$PWD/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
bundle="$PWD/node_modules/node-llama-cpp/llama/gitRelease.bundle"
src="$out/llama.cpp"
mkdir -p "$out"
[ -d "$src" ] || git clone --quiet "$bundle" "$src"
g++ -O2 -DNDEBUG -std=c++17 -I"$src/include" -I"$src/ggml/include" \
  bench/llama-cpp-embed-loop.cpp -o "$out/llama-cpp-embed-loop" \
  -L"$bins" -l:libllama.v0.4.0.so -l:libggml.v0.4.0.so -l:libggml-base.so -Wl,-rpath,"$bins" -pthread
echo "$out/llama-cpp-embed-loop"
