#!/usr/bin/env bash
# The real-server check of issue 9: a stock llama.cpp llama-server (bench/build-llama.sh llama-server) on the tiny
# dummy model, two instances on loopback (generation with 4 slots; embeddings, which llama-server serves only
# when started with --embeddings and a pooling other than none). Two generation runs of 200 requests at
# concurrency 4 and two embedding runs of 50 requests, then `compare` of each pair.
# Prints each run's summary line and each verdict; results go to OUT_DIR.
#
# Usage: bench/llama-server-check.sh [LLAMA_SERVER] [OUT_DIR]
#   LLAMA_SERVER defaults to /tmp/llama-server-build/build/bin/llama-server, OUT_DIR to a new temp dir.
# Environment: GEN_PORT (default 18080), EMB_PORT (18081), TOKENS (max new tokens, default 32).
set -euo pipefail
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
for arg in "$@"; do
  case "$arg" in
    -h | --help) usage; exit 0 ;;
    -*) echo "llama-server-check: unknown option \"$arg\" (see --help)" >&2; exit 2 ;;
  esac
done
[ $# -le 2 ] || { echo "llama-server-check: unexpected argument \"$3\" (see --help)" >&2; exit 2; }
cd "$(dirname "$0")/.."
server="${1:-/tmp/llama-server-build/build/bin/llama-server}"
out="${2:-$(mktemp -d /tmp/llama-server-check.XXXXXX)}"
gen_port="${GEN_PORT:-18080}"
emb_port="${EMB_PORT:-18081}"
tokens="${TOKENS:-32}"
[ -x "$server" ] || { echo "llama-server-check: $server is not an executable (run bench/build-llama.sh llama-server)" >&2; exit 2; }
mkdir -p "$out"
model="$out/tiny.gguf"
[ -f "$model" ] || node bin/perf-baseline.js model -o "$model" >/dev/null
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
"$server" -m "$model" --alias tiny --host 127.0.0.1 --port "$gen_port" -np 4 -c 4096 -t 1 >"$out/gen-server.log" 2>&1 &
pids+=($!)
"$server" -m "$model" --alias tiny --host 127.0.0.1 --port "$emb_port" --embeddings --pooling mean -c 2048 -t 1 \
  >"$out/emb-server.log" 2>&1 &
pids+=($!)
wait_ready() {
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$1/health" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "llama-server-check: the server on port $1 did not become ready (see $out/*-server.log)" >&2
  return 1
}
wait_ready "$gen_port"
wait_ready "$emb_port"
pb() { node bin/perf-baseline.js "$@"; }
for run in a b; do
  pb bench --engine openai --base-url "http://127.0.0.1:$gen_port/v1" --mode generation --max-new-tokens "$tokens" \
    --concurrency 4 --num-requests 200 --warmup 4 -o "$out/gen-$run.json" >/dev/null
  pb bench --engine openai --base-url "http://127.0.0.1:$emb_port/v1" --mode embedding --batch-size 8 \
    --concurrency 1 --num-requests 50 --warmup 2 -o "$out/emb-$run.json" >/dev/null
done
set +e
pb compare "$out/gen-a.json" "$out/gen-b.json"; echo "compare generation: exit $?"
pb compare "$out/emb-a.json" "$out/emb-b.json"; echo "compare embedding: exit $?"
echo "results in $out"
