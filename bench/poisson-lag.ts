/**
 * The lag behind a planned Poisson rate through the CLI, as users run it (issue 27, item 3): the zero-compute SSE
 * server (bench/lib/zero-compute.ts) on CPU 1, and for each of --runs rounds one `perf-baseline bench --engine
 * openai` run per client placement, interleaved: "free" (the server on the other core, the CLI's threads free to
 * use both) and "pinned" (the CLI and all its threads on CPU 0). Each run plans --requests arrivals at --rate
 * requests/s after --warmup more (the warmup at the head of the same schedule: src/measure/load.ts WarmupPlan).
 * Prints per run the result's `serving.client_capacity` (the lag behind the plan p50/p99 in ms, the achieved
 * fraction of the planned rate), the load average and the CPU time the host stole during the run (`steal` in
 * /proc/stat, ticks). Targets: p99 lag <= 1 ms, achieved >= 0.99.
 *
 * Usage: npx tsx bench/poisson-lag.ts [--runs 3] [--rate 1000] [--requests 10000] [--warmup 3000] [--client both]
 * Prints one JSON document on stdout, a line per run on stderr. Linux (taskset). A measurement: run it alone.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { systemCpuTicks } from "../src/environment/machine-load.js";
import { choiceOpt, decimalOpt, intOpt, parseScript } from "./lib/args.js";
import { startZeroComputeServer } from "./lib/zero-compute.js";

const { values: args } = parseScript(
  {
    name: "bench/poisson-lag.ts",
    summary:
      "The lag behind a planned Poisson rate through the CLI against a zero-compute server, client free or pinned.",
    usage: "npx tsx bench/poisson-lag.ts [options]",
  },
  {
    runs: intOpt("rounds (one run per placement each, interleaved)", 3, { max: 100 }),
    rate: decimalOpt("planned requests/s", 1000, 1, 100_000),
    requests: intOpt("measured requests per run", 10_000, { max: 1_000_000 }),
    warmup: intOpt("warmup requests per run (at the rate)", 3000, { min: 0, max: 1_000_000 }),
    tokens: intOpt("one-token chunks per response", 64, { max: 10_000 }),
    client: choiceOpt("client placements", ["both", "free", "pinned"] as const, "both"),
  },
);

/** CPU time stolen by the host so far, in USER_HZ ticks (the 8th figure of systemCpuTicks). */
const stealTicks = (): number => systemCpuTicks()?.[7] ?? 0;

/** One CLI run's figures. */
interface Run {
  client: "free" | "pinned";
  lag_p50_ms: number;
  lag_p99_ms: number;
  achieved: number | null;
  load_1m: number;
  steal_ticks: number;
}

/** Runs the CLI once against `url` and reads its result's client figures. */
function runCli(url: string, client: Run["client"], dir: string): Run {
  const out = join(dir, "result.json");
  const cli = [
    "bin/perf-baseline.js",
    ...["bench", "--engine", "openai", "--base-url", url, "--model", "m", "--mode", "generation"],
    ...["--request-rate", String(args.rate), "--concurrency", String(Math.ceil(args.rate))],
    ...["--num-requests", String(args.requests), "--warmup", String(args.warmup)],
    ...["--max-new-tokens", String(args.tokens), "--quiet", "-o", out],
  ];
  const [cmd, argv] =
    client === "pinned" ? ["taskset", ["-c", "0", process.execPath, ...cli]] : [process.execPath, cli];
  const steal0 = stealTicks();
  const load_1m = loadavg()[0] ?? 0;
  const timeoutMs = ((args.requests + args.warmup) / args.rate) * 1000 * 3 + 60_000;
  const r = spawnSync(cmd as string, argv as string[], {
    stdio: ["ignore", "ignore", "pipe"],
    timeout: timeoutMs,
  });
  if (r.status !== 0)
    throw new Error(`the CLI exited ${r.status ?? r.signal}: ${String(r.stderr).trim().split("\n").at(-1)}`);
  const result = JSON.parse(readFileSync(out, "utf8"));
  const c = result.serving.client_capacity;
  return {
    client,
    lag_p50_ms: c.schedule_lag_ms.p50,
    lag_p99_ms: c.schedule_lag_ms.p99,
    achieved: c.achieved_rate_fraction,
    load_1m,
    steal_ticks: stealTicks() - steal0,
  };
}

const placements: Run["client"][] = args.client === "both" ? ["free", "pinned"] : [args.client];
const server = await startZeroComputeServer(args.tokens, true);
const dir = mkdtempSync(join(tmpdir(), "pb-poisson-lag-"));
const runs: Run[] = [];
try {
  for (let round = 0; round < args.runs; round++)
    for (const client of placements) {
      const run = runCli(server.url, client, dir);
      runs.push(run);
      process.stderr.write(
        `${client.padEnd(6)} lag p50 ${run.lag_p50_ms.toFixed(3)} ms, p99 ${run.lag_p99_ms.toFixed(3)} ms; achieved ${run.achieved?.toFixed(5) ?? "-"}; load ${run.load_1m.toFixed(2)}, steal ${run.steal_ticks}\n`,
      );
    }
} finally {
  server.stop();
  rmSync(dir, { recursive: true, force: true });
}
const summary = placements.map((client) => {
  const mine = runs.filter((r) => r.client === client);
  return { client, runs: mine.length, p99_at_most_1ms: mine.filter((r) => r.lag_p99_ms <= 1).length };
});
process.stdout.write(
  `${JSON.stringify({ rate: args.rate, requests: args.requests, warmup: args.warmup, runs, summary }, null, 2)}\n`,
);
