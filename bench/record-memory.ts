/**
 * What a serving run keeps per request while it runs (issue 27): the tool's client and load loop against the
 * zero-compute SSE server (bench/lib/zero-compute.ts), --requests requests of --tokens chunks at concurrency 64,
 * with the records kept as objects (runLoad's default keeper) and as columns (src/measure/outcome-columns.ts, as
 * a serving run keeps them). After the last request settles, and before the records are built, a full
 * collection; then the growth of the collected heap and of ArrayBuffer memory since the start, per request.
 * Memory, not time: the figures do not depend on how busy the machine is.
 *
 * Usage: npx tsx bench/record-memory.ts [--requests 20000] [--tokens 64]
 * Prints one JSON document on stdout, a summary on stderr.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { runLoad } from "../src/measure/load.js";
import { OutcomeColumns } from "../src/measure/outcome-columns.js";
import type { ServingOutcome } from "../src/measure/requests.js";
import { choiceOpt, intOpt, parseScript } from "./lib/args.js";
import { completionRequest, startZeroComputeServer, toolClient } from "./lib/zero-compute.js";

const { values: args } = parseScript(
  {
    name: "bench/record-memory.ts",
    summary: "Memory a serving run keeps per request: records as objects against records as columns.",
    usage: "npx tsx bench/record-memory.ts [options]",
  },
  {
    requests: intOpt("requests per arm", 20_000, { max: 1_000_000 }),
    tokens: intOpt("one-token chunks per request", 64, { max: 100_000 }),
    arm: choiceOpt("(internal: run one arm in this process)", ["objects", "columns"]),
  },
);

// a full collection on demand (node --expose-gc, set from here: the script runs under tsx)
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Heap and ArrayBuffer growth (bytes) while `n` requests' records are kept, by `keeper` or as objects. */
async function arm(url: string, n: number, columns: boolean) {
  const client = toolClient(url);
  const request = completionRequest(args.tokens);
  const send = (_i: number, signal: AbortSignal): Promise<ServingOutcome> => client.generate(request, signal);
  await runLoad({ concurrency: 64, requestRate: null, numRequests: 2000, durationS: null }, send);
  gc();
  const before = process.memoryUsage();
  let after = before;
  await runLoad<ServingOutcome>(
    {
      concurrency: 64,
      requestRate: null,
      numRequests: n,
      durationS: null,
      ...(columns ? { keeper: new OutcomeColumns() } : {}),
      onSettled: (k) => {
        if (k !== n) return;
        gc();
        after = process.memoryUsage();
      },
    },
    send,
  );
  client.close();
  const heap = after.heapUsed - before.heapUsed;
  const buffers = after.arrayBuffers - before.arrayBuffers;
  return {
    records: columns ? "columns" : "objects",
    heap_bytes_per_request: heap / n,
    array_buffer_bytes_per_request: buffers / n,
    bytes_per_request: (heap + buffers) / n,
  };
}

/** Runs one arm in a child process of its own (a process's ArrayBuffer count lags behind what it freed). */
function armInChild(records: "objects" | "columns"): Awaited<ReturnType<typeof arm>> {
  const script = fileURLToPath(import.meta.url);
  const argv = [...process.execArgv, script, "--arm", records, "--requests", String(args.requests)];
  const out = execFileSync(process.execPath, [...argv, "--tokens", String(args.tokens)], {
    encoding: "utf8",
    timeout: 600_000,
  });
  return JSON.parse(out);
}

async function main(): Promise<void> {
  if (args.arm) {
    const server = await startZeroComputeServer(args.tokens, false);
    try {
      process.stdout.write(
        `${JSON.stringify(await arm(server.url, args.requests, args.arm === "columns"))}\n`,
      );
    } finally {
      server.stop();
    }
    return;
  }
  const rows = [armInChild("objects"), armInChild("columns")];
  for (const r of rows)
    process.stderr.write(
      `records as ${r.records}: ${r.bytes_per_request.toFixed(0)} B per request (${r.heap_bytes_per_request.toFixed(0)} B on the collected heap, ${r.array_buffer_bytes_per_request.toFixed(0)} B in ArrayBuffers)\n`,
    );
  process.stdout.write(
    `${JSON.stringify({ requests: args.requests, tokens: args.tokens, rows }, null, 2)}\n`,
  );
}

await main();
