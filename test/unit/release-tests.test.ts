/**
 * The release tests (issue 22 item 4) on controlled inputs: the configuration's `release_tests` and their
 * defaults; check-release's gates of three tests on synthesised rounds (only the `pp512` test's prefill 30 %
 * slower: REGRESSION, and the test is named); each test its own history group; a missing baseline of a listed
 * test is one line naming the test and the command that captures it.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  combineRelease,
  gateReleaseTest,
  type ReleaseTestOutcome,
  type ReleaseTestPlan,
  releaseTestPlan,
} from "../../src/cli/commands/check-release.js";
import { testRunValues } from "../../src/cli/release-tests.js";
import { runFlags } from "../../src/cli/run-flags.js";
import { findGateConfig } from "../../src/config/find-config.js";
import { defaultGateConfig, parseGateConfig } from "../../src/config/gate-config.js";
import {
  type ReleaseTest,
  releaseTestsOf,
  selectReleaseTests,
  testFileName,
} from "../../src/config/release-tests.js";
import { openSqliteStore } from "../../src/history/sqlite.js";
import { buildTrends } from "../../src/history/trend.js";
import { EvidenceFolder } from "../../src/report/evidence/folder.js";
import { ReleaseEvidence } from "../../src/report/evidence/release-evidence.js";
import { releaseJson, releaseMarkdown } from "../../src/report/evidence/release-markdown.js";
import { renderTrendsText } from "../../src/report/trend-text.js";
import { serializeResult } from "../../src/results/io.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { ConfigFileError, EXIT, ResultFileError, UsageError } from "../../src/util/errors.js";
import { runCli } from "../support/cli.js";
import { clone, fixture, squeezed } from "../support/gate-fixtures.js";
import { generationSeries } from "../support/history-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "pb-release-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = defaultGateConfig();

/** Generation rounds of one shape, 1 % jitter (a quiet machine), prefill slowed by 1/pf (0.7: 30 % slower). */
function generationRounds(pf = 1, test = "pp38+tg64"): BenchmarkResult {
  const r = clone(fixture("generation-a"));
  if (r.mode !== "generation") throw new Error("a generation fixture");
  const s0 = r.samples[0];
  if (s0 === undefined) throw new Error("fixture without rounds");
  r.test = test;
  r.samples = r.samples.map((_, i) => {
    const ttft = ((s0.ttft_ms ?? 0) / 1000) * (1 + ((i % 5) - 2) * 0.005);
    const prefill = ttft / pf;
    const decode = s0.elapsed_s - (s0.ttft_ms ?? 0) / 1000;
    const elapsed = prefill + decode;
    return {
      ...s0,
      round: i,
      elapsed_s: elapsed,
      ttft_ms: prefill * 1000,
      tokens_per_second: s0.output_tokens / elapsed,
      prefill_tokens_per_second: s0.prompt_tokens / prefill,
      decode_tokens_per_second: (s0.output_tokens - 1) / decode,
    };
  });
  return r;
}

function releaseTest(name: string, mode: "generation" | "embedding", metrics: string[] = []): ReleaseTest {
  return {
    name,
    mode,
    flags: {},
    metrics,
    baseline: `docs/baselines/${testFileName(name)}.json`,
    counted: false,
  };
}

describe("the configuration's release tests", () => {
  it("defaults to the specification's two, counted, on the configured baselines", () => {
    const tests = releaseTestsOf(defaultGateConfig());
    expect(tests.map((t) => [t.name, t.mode, t.baseline, t.counted])).toEqual([
      ["generation", "generation", "docs/baseline-generation.json", true],
      ["embedding", "embedding", "docs/baseline-embedding.json", true],
    ]);
  });

  it("the committed configuration lists the seed's two, pp512 and a decode at a depth", () => {
    const { tests } = findGateConfig();
    expect(tests.map((t) => t.name)).toEqual(["generation", "embedding", "pp512", "tg32 @ d512"]);
    const byName = new Map(tests.map((t) => [t.name, t]));
    expect(byName.get("pp512")).toMatchObject({
      baseline: "docs/baselines/pp512.json",
      counted: false,
      flags: { "prompt-tokens": 512, "max-new-tokens": 0 },
    });
    expect(byName.get("tg32 @ d512")).toMatchObject({
      baseline: "docs/baselines/tg32-d512.json",
      counted: false,
    });
  });

  it("file-safe names, selection by --mode and --test, one-line errors", () => {
    expect(testFileName("tg32 @ d512")).toBe("tg32-d512");
    expect(testFileName("pp512+tg128")).toBe("pp512-tg128");
    const tests = [
      releaseTest("generation", "generation"),
      releaseTest("embedding", "embedding"),
      releaseTest("pp512", "generation"),
    ];
    expect(selectReleaseTests(tests, ["generation"], []).map((t) => t.name)).toEqual(["generation", "pp512"]);
    expect(selectReleaseTests(tests, ["generation", "embedding"], ["pp512"]).map((t) => t.name)).toEqual([
      "pp512",
    ]);
    expect(() => selectReleaseTests(tests, ["generation"], ["pp1024"])).toThrow(
      /^--test: no release test "pp1024" in the configuration \(tests: generation, embedding, pp512\)$/,
    );
    expect(() => selectReleaseTests(tests, ["embedding"], ["pp512"])).toThrow(UsageError);
  });

  it("refuses a counted prompt-only test, duplicate names, unknown metrics", () => {
    const bad = (release_tests: unknown) => () => parseGateConfig({ release_tests }, "c.json");
    expect(
      bad([{ name: "pp512", mode: "generation", flags: { "max-new-tokens": 0 }, counted: true }]),
    ).toThrow(/prompt-only test .* cannot be counted/);
    expect(
      bad([
        { name: "a", mode: "generation" },
        { name: "a", mode: "embedding" },
      ]),
    ).toThrow(/unique/);
    expect(bad([{ name: "a", mode: "generation", metrics: ["speed"] }])).toThrow(ConfigFileError);
    expect(bad([{ name: "a,b", mode: "generation" }])).toThrow(/comma/);
  });

  it("a test's flags make its run's values; a flag that is not a run's is the configuration's error", () => {
    const t = { ...releaseTest("pp512", "generation"), flags: { "prompt-tokens": 512, "max-new-tokens": 0 } };
    const values = testRunValues(t, { rounds: "5", "max-new-tokens": "64" }, runFlags(), "c.json");
    expect(values).toMatchObject({ rounds: "5", "prompt-tokens": "512", "max-new-tokens": "0" });
    const wrong = { ...t, flags: { speed: 3 } };
    expect(() => testRunValues(wrong, {}, runFlags(), "c.json")).toThrow(
      /^c\.json: release test pp512: flag speed: not a flag of a run$/,
    );
  });
});

describe("a release test's baseline and metrics", () => {
  it("--metric keeps the metrics the rounds carry; another test's baseline is refused", () => {
    const path = join(dir, "pp512.json");
    // a real result (consistent with its own samples), named as the pp512 test's
    writeFileSync(path, serializeResult({ ...clone(fixture("generation-a")), test: "pp512" }));
    const t = { ...releaseTest("pp512", "generation", ["prefill_tokens_per_second"]), baseline: path };
    expect(releaseTestPlan(t, []).metrics).toEqual(["prefill_tokens_per_second"]);
    expect(releaseTestPlan(t, ["ttft_ms", "calls_per_second"]).metrics).toEqual(["ttft_ms"]);
    expect(() => releaseTestPlan(t, ["calls_per_second"])).toThrow(
      /^--metric calls_per_second: the rounds of test pp512 carry none of them; choose the tests with --test$/,
    );
    const other = { ...t, name: "pp256" };
    expect(() => releaseTestPlan(other, [])).toThrow(ResultFileError);
    expect(() => releaseTestPlan(other, [])).toThrow(/holds test pp512, not pp256; recapture it with/);
    expect(() => releaseTestPlan({ ...t, mode: "embedding" }, [])).toThrow(/a generation result, but test/);
  });
});

describe("check-release over three tests", () => {
  it("only pp512's prefill 30 % slower: REGRESSION, naming pp512; the other tests pass", async () => {
    const generation = generationRounds();
    const embedding = squeezed(fixture("embedding-a"), 0.05);
    const pp = generationRounds(1, "pp512");
    const plans: Array<{ plan: ReleaseTestPlan; candidate: BenchmarkResult }> = [
      {
        plan: {
          test: releaseTest("generation", "generation"),
          path: "g.json",
          baseline: generation,
          metrics: ["tokens_per_second"],
        },
        candidate: generation,
      },
      {
        plan: {
          test: releaseTest("embedding", "embedding"),
          path: "e.json",
          baseline: embedding,
          metrics: ["calls_per_second"],
        },
        candidate: embedding,
      },
      {
        plan: {
          test: releaseTest("pp512", "generation"),
          path: "pp512.json",
          baseline: pp,
          metrics: ["prefill_tokens_per_second", "tokens_per_second"],
        },
        candidate: generationRounds(0.7, "pp512"),
      },
    ];
    const outcomes: ReleaseTestOutcome[] = [];
    for (const { plan, candidate } of plans) {
      const labels: string[] = [];
      const gates = await gateReleaseTest(plan, config, async (label) => {
        labels.push(label);
        return candidate;
      });
      expect(labels[0]).toBe(`${plan.test.name} capture 1`);
      outcomes.push({ plan, gates, counts: null });
    }
    const verdicts = outcomes.map((o) =>
      o.gates.map((g) => `${o.plan.test.name} ${g.metric} ${g.report.verdict}`),
    );
    expect(verdicts).toEqual([
      ["generation tokens_per_second PASS"],
      ["embedding calls_per_second PASS"],
      ["pp512 prefill_tokens_per_second REGRESSION", "pp512 tokens_per_second PASS"],
    ]);
    const { combined, regressed } = combineRelease(outcomes);
    expect(combined.verdict).toBe("REGRESSION");
    expect(combined.exit_code).toBe(EXIT.regression);
    expect(combined.decided_by).toMatchObject({ kind: "metric", metric: "prefill_tokens_per_second" });
    expect(regressed).toEqual(["pp512"]);
    // the evidence: capture files per test, a section per test and metric, the tests' verdicts in one line
    const folder = EvidenceFolder.stage(join(dir, "evidence"));
    try {
      const evidence = new ReleaseEvidence(folder);
      for (const o of outcomes)
        for (const g of o.gates)
          evidence.addGate(g.report, o.plan.baseline, o.plan.path, g.captures, o.plan.test.name);
      for (const f of ["generation-1.json", "embedding-1.json", "pp512-1.json"])
        expect(existsSync(join(folder.staging, "captures", f)), f).toBe(true);
      const input = {
        date: "2026-12-06T00:00:00Z",
        gates: evidence.gates,
        config,
        command: "perf-baseline check-release",
        overall: { verdict: combined.verdict, exit_code: combined.exit_code },
        evidence_dir: "evidence",
      };
      const md = releaseMarkdown(input, []);
      expect(md).toMatch(/^## Generation: PASS$/m);
      expect(md).toMatch(/^## Test pp512 \(generation, prefill_tokens_per_second\): REGRESSION$/m);
      expect(md).toMatch(/^- Release tests: .*`pp512` prefill_tokens_per_second: \*\*REGRESSION\*\*/m);
      const gates = JSON.parse(releaseJson(input)).gates as Array<{ test: string; metric: string }>;
      expect(gates.map((g) => `${g.test} ${g.metric}`)).toContain("pp512 prefill_tokens_per_second");
    } finally {
      folder.discard();
    }
    // without the slowdown every test passes
    const clean = outcomes.map((o) => ({
      ...o,
      gates: o.gates.filter((g) => g.report.verdict !== "REGRESSION"),
    }));
    expect(combineRelease(clean)).toMatchObject({ combined: { verdict: "PASS" }, regressed: [] });
  });
});

describe("history", () => {
  it("each test is its own group, its key and heading name the test", async () => {
    const store = openSqliteStore(join(dir, "h.sqlite"));
    const seedTest = generationSeries(3).map((r) => ({ ...r, test: "pp38+tg64" }) as BenchmarkResult);
    const pp = generationSeries(2, { seed: 2 }).map((r) => {
      const c = clone(r);
      c.test = "pp512";
      c.workload.digest = "f".repeat(64);
      return c;
    });
    await store.add([...seedTest, ...pp].map((result) => ({ result, verdict: null, source: "x" })));
    const t = await buildTrends(store, "generation", "tokens_per_second");
    const groups = t.groups.map((g) => [g.identity.test, g.points.length, g.group_key.split(":")[0]]);
    expect(groups.sort()).toEqual([
      ["pp38+tg64", 3, "pp38+tg64"],
      ["pp512", 2, "pp512"],
    ]);
    expect(renderTrendsText(t)).toMatch(/test pp512 · /);
    await store.close();
  });
});

describe("a listed test without its baseline", () => {
  it("is one line naming the test and the command that captures it, exit 5, before anything runs", () => {
    const cfg = join(dir, "perf-baseline.config.json");
    writeFileSync(
      cfg,
      JSON.stringify({
        release_tests: [
          { name: "tg32 @ d512", mode: "generation", flags: { depth: 512, "max-new-tokens": 32 } },
        ],
      }),
    );
    const run = runCli(["check-release", "--config", cfg, "--evidence-dir", join(dir, "ev")]);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^perf-baseline: .*docs\/baselines\/tg32-d512\.json: file not found \(the baseline of release test tg32 @ d512, named by .*\); capture it with `perf-baseline baseline --test 'tg32 @ d512'`/,
    );
    expect(run.status).toBe(EXIT.badResultFile);
  });
});
