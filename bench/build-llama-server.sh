#!/usr/bin/env bash
# Builds a stock llama.cpp `llama-server` from the very llama.cpp sources node-llama-cpp ships
# (node_modules/node-llama-cpp/llama/gitRelease.bundle, a git bundle), so that `bench --engine openai`
# can be tried against a real OpenAI-compatible server on loopback. Offline: no web UI download
# (LLAMA_USE_PREBUILT_UI=OFF), no HTTPS (LLAMA_OPENSSL=OFF), no curl. The build lives OUTSIDE the
# repository and its binaries are never committed. About 25 min on 2 cores (nice'd; run it in the background).
#
# Usage: bench/build-llama-server.sh [OUT_DIR]   (default /tmp/llama-server-build)
# Then:  OUT_DIR/build/bin/llama-server -m tiny.gguf --alias tiny --port 8080
#        (see README, "Benchmarking an OpenAI-compatible server", for the flags each server needs)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/llama-server-build}"
bundle="$PWD/node_modules/node-llama-cpp/llama/gitRelease.bundle"
[ -f "$bundle" ] || { echo "build-llama-server: $bundle not found (run npm ci first)" >&2; exit 2; }
src="$out/llama.cpp"
mkdir -p "$out"
[ -d "$src" ] || git clone --quiet "$bundle" "$src"
jobs="${JOBS:-2}"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
nice -n 10 cmake -S "$src" -B "$out/build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF \
  -DGGML_NATIVE=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF >"$out/cmake-configure.log"
nice -n 10 cmake --build "$out/build" --target llama-server -j "$jobs"
echo "$out/build/bin/llama-server"
