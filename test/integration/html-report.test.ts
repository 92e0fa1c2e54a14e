/**
 * The HTML report in a real browser: Debian's headless Chromium driven by playwright-core (no browser
 * download). The page must load with no console error and no network, every chart must draw all its points,
 * and screenshots are saved under test-output/html-report/ for a person to look at.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import { runGate } from "../../src/gate/verdict.js";
import { openSqliteStore } from "../../src/history/sqlite.js";
import { serializeResult } from "../../src/results/io.js";
import { CHROMIUM, launchChromium } from "../support/browser.js";
import { ROOT, runCli } from "../support/cli.js";
import { fixture, scaled } from "../support/gate-fixtures.js";
import { fakeCommit, generationSeries, servingResult } from "../support/history-fixtures.js";
import { sayWhySkipped } from "../support/skips.js";

const OUT = join(
  ROOT,
  "test-output",
  "html-report",
  `${new Date().toISOString().replace(/[:.]/g, "-")}-${process.pid}`,
);
const haveChromium = existsSync(CHROMIUM);
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pb-report-"));
  // history: 30 generation runs with a 15 % drop at run 19, 12 embedding runs, 3 serving runs
  const store = openSqliteStore(join(dir, "history.sqlite"));
  const gen = generationSeries(30, { at: 18, step: -0.15, seed: 4 });
  const emb = generationSeries(12, { seed: 5, mode: "embedding" });
  const serving = [0, 1, 2].map((i) => {
    const r = servingResult();
    r.started_at = new Date(Date.UTC(2026, 10, 10, i)).toISOString();
    r.git = { commit: fakeCommit(`serving-${i}`), dirty: false };
    return r;
  });
  await store.add([
    ...gen.map((result, i) => ({
      result,
      verdict: i === 0 ? null : i < 18 ? ("PASS" as const) : ("REGRESSION" as const),
      source: `gen-${i}`,
    })),
    ...emb.map((result) => ({ result, verdict: null, source: "emb" })),
    ...serving.map((result) => ({ result, verdict: null, source: "serving" })),
  ]);
  await store.close();
  // an evidence folder: a baseline, a candidate 20 % slower, the gate's verdicts.json, a serving capture
  const ev = join(dir, "evidence");
  mkdirSync(join(ev, "captures"), { recursive: true });
  mkdirSync(join(ev, "baselines"), { recursive: true });
  const baseline = fixture("generation-a");
  const candidate = scaled(fixture("generation-b"), 0.8);
  writeFileSync(join(ev, "baselines", "baseline-generation.json"), serializeResult(baseline));
  writeFileSync(join(ev, "captures", "generation-1.json"), serializeResult(candidate));
  writeFileSync(join(ev, "serving.json"), serializeResult(serving[2] as (typeof serving)[number]));
  const { report } = await runGate({
    baseline,
    candidate,
    config: defaultGateConfig(),
    baselineSource: "docs/baseline-generation.json",
    candidateSource: "generation run",
  });
  report.candidate_sources = ["captures/generation-1.json"];
  writeFileSync(
    join(ev, "verdicts.json"),
    JSON.stringify({ date: new Date().toISOString(), gates: [report] }),
  );
  mkdirSync(OUT, { recursive: true });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const noChromium = !haveChromium && process.env.CI !== "true";
sayWhySkipped(
  noChromium,
  "HTML report in headless Chromium",
  `no Chromium at ${CHROMIUM} (apt-get install chromium, or set PERF_BASELINE_CHROMIUM; CI=true requires it)`,
);

describe.skipIf(noChromium)("HTML report in headless Chromium", () => {
  it("writes one self-contained page that draws every chart with no console error", async () => {
    const html = join(dir, "html");
    const r = runCli([
      "report",
      "--html",
      html,
      "--history",
      join(dir, "history.sqlite"),
      join(dir, "evidence"),
    ]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^wrote .*report\.html: 5 trends \(54 points\), 1 distribution, 1 serving run, 1 gate\n$/,
    );

    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      page.on("request", (req) => {
        if (!req.url().startsWith("file:")) requests.push(req.url());
      });
      await page.goto(pathToFileURL(join(html, "report.html")).href);
      await page.waitForSelector("body[data-ready]", { timeout: 30_000 });
      const charts = (await page.evaluate("window.__charts")) as Array<{
        id: string;
        expected: number;
        drawn: number;
      }>;
      expect(charts.map((c) => c.id)).toEqual(
        [
          "trend:generation:tokens_per_second:1",
          "trend:generation:tokens_per_second:2",
          "trend:generation:ttft_ms:1",
          "trend:generation:itl_ms:1",
          "trend:generation:e2e_latency_ms:1",
          "trend:embedding:calls_per_second:1",
          "distribution:generation:1",
          "serving:1",
        ].filter((id) => charts.some((c) => c.id === id)),
      );
      expect(charts.length).toBeGreaterThanOrEqual(6);
      for (const c of charts) {
        expect(c.drawn, c.id).toBeGreaterThan(0);
        expect(c.drawn, c.id).toBe(c.expected);
      }
      // every canvas has ink: more than a few hundred pixels that are not the white background
      const ink = (await page.evaluate(`Array.from(document.querySelectorAll("canvas")).map(function (c) {
        var d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data, n = 0;
        for (var i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) n++;
        return n;
      })`)) as number[];
      expect(ink.length).toBe(charts.length);
      for (const n of ink) expect(n).toBeGreaterThan(500);
      const text = (await page.evaluate("document.body.innerText")) as string;
      expect(text).toMatch(/change point before run 19: −1\d\.\d %/);
      expect(text).toContain("REGRESSION");
      expect(text).toContain("tokens/s");
      expect(text).toContain("p99 ms");
      expect(text).toContain("Gate evidence");
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);

      await page.screenshot({ path: join(OUT, "report-full.png"), fullPage: true });
      const cards = page.locator(".card");
      const n = await cards.count();
      for (let i = 0; i < n; i++)
        await cards.nth(i).screenshot({ path: join(OUT, `card-${String(i + 1).padStart(2, "0")}.png`) });
      await page.setViewportSize({ width: 420, height: 900 });
      await page.screenshot({ path: join(OUT, "report-narrow.png") });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
