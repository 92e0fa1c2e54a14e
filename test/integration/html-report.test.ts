/**
 * The HTML report in a real browser: Debian's headless Chromium driven by playwright-core (no browser
 * download). The page must load with no console error and no network, every chart must draw all its points,
 * and screenshots are saved under test-output/html-report/ for a person to look at.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import { instructionVerdict } from "../../src/gate/instructions.js";
import { type CountsSkip, coded } from "../../src/gate/reasons.js";
import { runGate } from "../../src/gate/verdict.js";
import { openSqliteStore } from "../../src/history/sqlite.js";
import { writeEvidenceHtmlReport } from "../../src/report/evidence/html.js";
import { countsJson, type ReleaseCounts } from "../../src/report/evidence/release-markdown.js";
import { generationFigures } from "../../src/results/build.js";
import { serializeResult } from "../../src/results/io.js";
import type { BenchmarkResult, GenerationResult, InstructionsBlock } from "../../src/results/schema.js";
import { warningRecord } from "../../src/results/warnings.js";
import { CHROMIUM, launchChromium } from "../support/browser.js";
import { ROOT, runCli } from "../support/cli.js";
import { clone, fixture, scaled } from "../support/gate-fixtures.js";
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
  // its summaries follow its slower rounds (reading a result checks them against its samples)
  const slower = scaled(fixture("generation-b"), 0.8) as GenerationResult;
  const candidate: GenerationResult = { ...slower, ...generationFigures(slower.samples) };
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

/**
 * `r` counted under callgrind, `perRound` instructions in one round of 16 output tokens: with
 * `wallTimeComparable` false it is a counted capture (its wall time ran under valgrind), as check-release
 * writes to captures/<mode>-instructions.json.
 */
function withCounts(r: BenchmarkResult, perRound: number, wallTimeComparable: boolean): BenchmarkResult {
  const c = clone(r);
  const block: InstructionsBlock = {
    counter: "callgrind",
    valgrind_version: "3.19.0",
    cpu_backend_variant: "haswell",
    threads: 1,
    counted_functions: ["llama_decode"],
    rounds: 1,
    warmup_rounds: 0,
    max_new_tokens: 16,
    workload_digest: c.workload.digest,
    wall_time_comparable: wallTimeComparable,
    unit: "output_token",
    per_round: [perRound],
    units_per_round: [16],
    per_unit: perRound / 16,
    functions: [{ name: "llama_decode", self: perRound, inclusive: perRound }],
  };
  if (!wallTimeComparable) c.warnings = [...c.warnings, warningRecord({ code: "counted_under_valgrind" })];
  return { ...c, instructions: block } as BenchmarkResult;
}

/**
 * An evidence folder as check-release with valgrind leaves it, made from the gate's fixtures (no engine run):
 * the generation time gate (PASS), the generation instruction verdict (3 % more instructions per token: a
 * REGRESSION at the default 2 %), embedding not counted (its baseline has no counts), written by the
 * evidence module's own writer (countsJson).
 */
async function countedEvidence(ev: string): Promise<void> {
  mkdirSync(join(ev, "captures"), { recursive: true });
  mkdirSync(join(ev, "baselines"), { recursive: true });
  const config = defaultGateConfig();
  const baseline = withCounts(fixture("generation-a"), 1_234_567 * 16, true);
  const candidate = fixture("generation-b");
  const countedCapture = withCounts(candidate, Math.round(1_234_567 * 16 * 1.03), false);
  writeFileSync(join(ev, "baselines", "baseline-generation.json"), serializeResult(baseline));
  writeFileSync(join(ev, "captures", "generation-1.json"), serializeResult(candidate));
  writeFileSync(join(ev, "captures", "generation-instructions.json"), serializeResult(countedCapture));
  const { report } = await runGate({
    baseline: fixture("generation-a"),
    candidate,
    config,
    baselineSource: "docs/baseline-generation.json",
    candidateSource: "generation run",
  });
  report.candidate_sources = ["captures/generation-1.json"];
  writeFileSync(
    join(ev, "verdicts.json"),
    JSON.stringify({ date: new Date().toISOString(), gates: [report] }),
  );
  const gen = instructionVerdict(baseline, countedCapture, config);
  const skipped = coded<CountsSkip>({ code: "skipped_baseline_uncounted" });
  const counts: ReleaseCounts[] = [
    { mode: "generation", report: gen, skipped: null, capture: countedCapture, text: "" },
    {
      mode: "embedding",
      report: null,
      skipped,
      capture: null,
      text: `embedding instructions: ${skipped.text}`,
    },
  ];
  writeFileSync(join(ev, "instructions.json"), countsJson(counts));
}

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
      /^wrote .*report\.html: 5 trends \(54 points\), 1 distribution, 1 serving run, 1 gate, 0 instruction verdicts\n$/,
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

  it("shows an evidence folder's instruction verdicts beside its time verdicts (check-release with valgrind)", async () => {
    const staging = join(dir, ".ev.partial-counted");
    const shown = join(dir, "ev-counted");
    await countedEvidence(staging);
    const log: string[] = [];
    const prior = process.env.PERF_BASELINE_HISTORY;
    delete process.env.PERF_BASELINE_HISTORY;
    let page: string | null;
    try {
      page = await writeEvidenceHtmlReport(staging, { shownAs: shown, log: (l) => log.push(l) });
    } finally {
      if (prior !== undefined) process.env.PERF_BASELINE_HISTORY = prior;
    }
    expect(log).toEqual([]);
    expect(page).toBe(join(staging, "report.html"));
    const html = readFileSync(page as string, "utf8");
    expect(html).not.toContain(".ev.partial-");
    // the counted capture is read (and kept out of the wall-time views: tested in test/unit/counted-views.test.ts)
    expect(html).toContain(`3 result files from ${shown}`);

    const browser = await launchChromium();
    try {
      const p = await browser.context.newPage();
      const problems: string[] = [];
      p.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
      });
      p.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      await p.goto(pathToFileURL(page as string).href);
      await p.waitForSelector("body[data-ready]", { timeout: 30_000 });
      // the gate section: the time gate's card, then the instruction verdicts' table, row by row
      const section = (await p.evaluate(`(function () {
        var h = Array.from(document.querySelectorAll("h2")).find(function (x) { return x.textContent === "Gate evidence"; });
        var sec = h.parentElement;
        return {
          cards: sec.querySelectorAll(".card").length,
          time: sec.querySelector(".card:not(.instructions) h3").innerText,
          rows: Array.from(sec.querySelectorAll(".card.instructions tr")).map(function (tr) {
            return Array.from(tr.children).map(function (td) { return td.innerText.trim(); });
          }),
          reasons: Array.from(sec.querySelectorAll(".card.instructions li")).map(function (li) { return li.innerText; }),
        };
      })()`)) as { cards: number; time: string; rows: string[][]; reasons: string[] };
      expect(section.cards).toBe(2);
      expect(section.time).toMatch(/^generation gate · tokens_per_second .*PASS$/);
      expect(section.rows).toEqual([
        ["mode", "verdict", "instructions per", "baseline", "candidate", "change", "threshold"],
        ["generation", "REGRESSION", "output token", "1,234,567", "1,271,604", "+3.00 %", "+2.0 %"],
        ["embedding", "not counted", "–", "–", "–", "–", "–"],
      ]);
      expect(section.reasons[0]).toMatch(/^generation: instructions per output token: baseline 1,234,567/);
      expect(section.reasons).toContain(
        `embedding: embedding instructions: ${coded<CountsSkip>({ code: "skipped_baseline_uncounted" }).text}`,
      );
      // the tiles: the time gate's verdict and the instruction verdicts
      const tiles = (await p.evaluate(
        `Array.from(document.querySelectorAll(".tile")).map(function (t) { return t.innerText.replace(/\\s+/g, " ").trim(); })`,
      )) as string[];
      expect(tiles).toContainEqual(
        expect.stringMatching(
          /^instruction gate · generation REGRESSION instructions per output token 1,271,604 vs 1,234,567 \(\+3\.00 %\), threshold \+2\.0 %$/,
        ),
      );
      expect(tiles).toContainEqual(expect.stringMatching(/^instruction gate · embedding not counted /));
      expect(problems).toEqual([]);
      await p.screenshot({ path: join(OUT, "report-instructions.png"), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
