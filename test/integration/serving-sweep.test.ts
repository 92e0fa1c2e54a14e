/**
 * A load sweep (issue 26) on the real loopback server (`perf-baseline serve`): `--concurrency 1,2` runs both
 * points in increasing order, prints one JSON line per result and writes them with -o, prints the table on
 * stderr; the HTML report of its results draws the throughput-versus-TTFT (Pareto) chart in headless Chromium.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseResult } from "../../src/results/io.js";
import { EXIT } from "../../src/util/errors.js";
import { CHROMIUM, launchChromium } from "../support/browser.js";
import { runCli } from "../support/cli.js";
import { runCliAsync, type ServeProcess, startServeProcess } from "../support/processes.js";
import { sayWhySkipped } from "../support/skips.js";

let serve: ServeProcess;
const dir = mkdtempSync(join(tmpdir(), "perf-baseline-sweep-"));

beforeAll(async () => {
  serve = await startServeProcess();
});
afterAll(async () => {
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const noChromium = !existsSync(CHROMIUM) && process.env.CI !== "true";
sayWhySkipped(noChromium, "the sweep chart in headless Chromium", `no Chromium at ${CHROMIUM}`);

describe("a load sweep on perf-baseline serve", () => {
  let lines: string[] = [];

  it("--concurrency 2,1: both points in increasing order, JSON Lines on stdout and in -o, the table on stderr", async () => {
    const out = join(dir, "sweep.jsonl");
    const run = await runCliAsync([
      "bench",
      "--engine",
      "openai",
      "--base-url",
      serve.baseUrl,
      "--mode",
      "generation",
      "--concurrency",
      "2,1",
      "--num-requests",
      "4",
      "--max-new-tokens",
      "4",
      "--warmup",
      "1",
      "--goodput",
      "ttft_ms:86400000",
      "-o",
      out,
    ]);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.status, run.stderr).toBe(EXIT.ok);
    lines = run.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    const results = lines.map((l) => parseResult(JSON.parse(l), "stdout"));
    expect(results.map((r) => r.load?.concurrency)).toEqual([1, 2]);
    expect(readFileSync(out, "utf8")).toBe(run.stdout);
    expect(run.stderr).toMatch(/\| concurrency \| requests\/s \| throughput \| median TTFT ms \|/);
    expect(run.stderr).toMatch(/: \| 1 \| [\d.]+ \| [\d.]+ \|/);
    expect(run.stderr).toMatch(/: \| 2 \| [\d.]+ \| [\d.]+ \|/);
    const bad = runCli(["bench", "--engine", "llama-cpp", "--concurrency", "1,2"]);
    expect(bad.status).toBe(EXIT.usage);
    expect(bad.stderr).toMatch(/--concurrency takes a list \(a load sweep\) with --engine openai only/);
  });

  it.skipIf(noChromium)("the HTML report of the sweep draws its throughput-against-TTFT chart", async () => {
    expect(lines).toHaveLength(2);
    const results = join(dir, "results");
    mkdirSync(results, { recursive: true });
    for (const [i, l] of lines.entries()) writeFileSync(join(results, `point-${i}.json`), `${l}\n`);
    const html = join(dir, "html");
    const r = runCli(["report", "--html", html, results]);
    expect(r.status, r.stderr).toBe(0);
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      await page.goto(pathToFileURL(join(html, "report.html")).href);
      await page.waitForSelector("body[data-ready]", { timeout: 30_000 });
      const charts = (await page.evaluate("window.__charts")) as Array<{
        id: string;
        expected: number;
        drawn: number;
      }>;
      const sweep = charts.find((c) => c.id === "sweep:1");
      expect(sweep?.expected).toBe(4); // 2 points x (median, p99)
      expect(sweep?.drawn).toBe(4);
      const text = (await page.evaluate("document.body.innerText")) as string;
      expect(text).toContain("Load sweeps: throughput against latency");
      expect(text).toMatch(/concurrency sweep · perf-baseline-tiny/);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
