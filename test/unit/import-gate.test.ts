/**
 * The gate of imported results (src/gate/imported.ts) on controlled inputs: for each format that carries
 * samples, the fixture against itself with 1 % better figures (PASS) and against a copy 30 % worse
 * (REGRESSION); the specification's summary-only example against copies 5 % and 20 % slower (PASS,
 * INCONCLUSIVE) and a second slower capture (REGRESSION); tests matched by name and settings.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import { gateImported } from "../../src/gate/imported.js";
import { importResultsText, readResultsFile } from "../../src/import/registry.js";
import { renderImportedText } from "../../src/report/imported-text.js";
import { runCli } from "../support/cli.js";

const DIR = join(import.meta.dirname, "..", "fixtures", "import");
const fx = (p: string) => join(DIR, p);
const config = defaultGateConfig();

type Doc = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: each edit walks another tool's document shape, parsed JSON
type Edit = (doc: any, f: number) => void;

/**
 * Each sample-carrying format: its fixture and how to make every figure of it `f` times better (f > 1) or
 * worse (f < 1): a rate multiplied by f, a time divided by it.
 */
const FORMATS: Array<{ name: string; file: string; jsonl?: boolean; edit: Edit }> = [
  {
    name: "llama-bench",
    file: "llama-bench/readme.json",
    edit: (d, f) => {
      for (const t of d) {
        t.samples_ts = t.samples_ts.map((x: number) => x * f);
        t.avg_ts *= f;
      }
    },
  },
  {
    name: "vllm",
    file: "vllm/detailed.json",
    edit: (d, f) => {
      d.ttfts = d.ttfts.map((x: number) => x / f);
      d.itls = d.itls.map((xs: number[]) => xs.map((x) => x / f));
    },
  },
  {
    name: "aiperf-jsonl",
    file: "aiperf/profile_export.jsonl",
    jsonl: true,
    edit: (lines, f) => {
      for (const l of lines) if (l.error === null) l.metrics.time_to_first_token.value /= f;
    },
  },
  {
    name: "guidellm",
    file: "guidellm/benchmarks.json",
    edit: (d, f) => {
      d.benchmarks = [d.benchmarks[0]];
      for (const r of d.benchmarks[0].requests.successful) r.time_to_first_token_ms /= f;
    },
  },
  {
    name: "hyperfine",
    file: "hyperfine/export.json",
    edit: (d, f) => {
      for (const r of d.results) {
        r.times = r.times.map((x: number) => x / f);
        r.mean /= f;
      }
    },
  },
];

function variant(file: string, jsonl: boolean, edit: Edit, f: number): string {
  const raw = readFileSync(fx(file), "utf8");
  const doc: Doc | Doc[] = jsonl
    ? raw
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l))
    : JSON.parse(raw);
  edit(doc, f);
  return jsonl ? `${(doc as Doc[]).map((l) => JSON.stringify(l)).join("\n")}\n` : JSON.stringify(doc);
}

describe("a gate of two files of each format that carries samples", () => {
  for (const { name, file, jsonl = false, edit } of FORMATS) {
    it(`${name}: PASS against 1 % better figures, REGRESSION against 30 % worse`, () => {
      const base = importResultsText(variant(file, jsonl, edit, 1), `base-${name}`);
      const better = importResultsText(variant(file, jsonl, edit, 1.01), `better-${name}`);
      const worse = importResultsText(variant(file, jsonl, edit, 0.7), `worse-${name}`);
      expect(base[0]?.format).toBe(name);
      const pass = gateImported({ baseline: base, candidate: better, config });
      expect(pass.gates.map((g) => [g.method, g.verdict])).toEqual(pass.gates.map(() => ["samples", "PASS"]));
      expect(pass.verdict).toBe("PASS");
      const regression = gateImported({ baseline: base, candidate: worse, config });
      expect(regression.gates.map((g) => g.reason)).toEqual(
        regression.gates.map(() => "capture_1_regression"),
      );
      expect(regression.verdict).toBe("REGRESSION");
      expect(regression.gates[0]?.analyses[0]?.drop).toBeCloseTo(0.3, 5);
    });
  }
});

describe("the specification's example, a summary only: its own rule, no interval", () => {
  const example = readResultsFile(fx("specification/example.json"));
  const slower20 = readResultsFile(fx("specification/slower-20pct.json"));
  const slower21 = readResultsFile(fx("specification/slower-21pct.json"));
  const slower5 = readResultsFile(fx("specification/slower-5pct.json"));

  it("5 % slower: PASS (below the embedding threshold of 15 %)", () => {
    const c = gateImported({ baseline: example, candidate: slower5, config });
    expect(c.gates[0]).toMatchObject({
      verdict: "PASS",
      reason: "summary_pass",
      method: "summary",
      interval_computed: false,
      analyses: [],
    });
  });

  it("20 % slower: INCONCLUSIVE; a second slower capture confirms it: REGRESSION", () => {
    const one = gateImported({ baseline: example, candidate: slower20, config });
    expect(one.verdict).toBe("INCONCLUSIVE");
    expect(one.gates[0]?.reason).toBe("summary_one_capture");
    expect(one.gates[0]?.summary?.drops[0]).toBeCloseTo(0.2, 10);
    const two = gateImported({ baseline: example, candidate: slower20, second: slower21, config });
    expect(two.verdict).toBe("REGRESSION");
    expect(two.gates[0]?.interval_computed).toBe(false);
    const notConfirmed = gateImported({ baseline: example, candidate: slower20, second: slower5, config });
    expect(notConfirmed.verdict).toBe("INCONCLUSIVE");
  });

  it("the CLI: compare exits 3 (INCONCLUSIVE), gate with two candidates exits 1 (REGRESSION), saying no interval", () => {
    const cmp = runCli(["compare", fx("specification/example.json"), fx("specification/slower-20pct.json")]);
    expect(cmp.status).toBe(3);
    expect(cmp.stdout).toMatch(/no interval could be computed; no confidence is claimed/);
    const gate = runCli([
      "gate",
      "--baseline",
      fx("specification/example.json"),
      "--candidate",
      fx("specification/slower-20pct.json"),
      "--candidate",
      fx("specification/slower-21pct.json"),
    ]);
    expect(gate.status).toBe(1);
    expect(gate.stdout).toMatch(/REGRESSION: a second capture confirms the drop/);
  });
});

describe("tests matched by name and settings", () => {
  const base = readResultsFile(fx("llama-bench/readme.json"));

  it("a baseline test the candidate lacks is listed and keeps a PASS from being given", () => {
    const c = gateImported({ baseline: base, candidate: base.slice(1), config });
    expect(c.gates.map((g) => g.test)).toEqual(["tg128"]);
    expect(c.unmatched_baseline).toEqual([`pp512 (${fx("llama-bench/readme.json")} entry 1)`]);
    expect(c.verdict).toBe("INCONCLUSIVE");
  });

  it("other settings (threads) make the pair INCOMPARABLE, naming the setting", () => {
    const doc = JSON.parse(readFileSync(fx("llama-bench/readme.json"), "utf8"));
    for (const t of doc) t.n_threads = 4;
    const c = gateImported({
      baseline: base,
      candidate: importResultsText(JSON.stringify(doc), "t4.json"),
      config,
    });
    expect(c.verdict).toBe("INCOMPARABLE");
    expect(c.gates[0]?.key.differences).toEqual([{ field: "n_threads", baseline: "8", candidate: "4" }]);
  });

  it("a metric whose direction no one gave is not gated; --direction gives it", () => {
    const b = readResultsFile(fx("bencher/bmf-example.json"));
    expect(gateImported({ baseline: b, candidate: b, config }).gates[1]?.reason).toBe("no_direction");
    const lower = readResultsFile(fx("bencher/bmf-example.json"), { direction: "lower" });
    expect(gateImported({ baseline: lower, candidate: lower, config }).verdict).toBe("PASS");
  });

  it("vLLM's summary file against its detailed file: INCOMPARABLE, naming what each side gives", () => {
    const summary = readResultsFile(fx("vllm/summary.json"));
    const detailed = readResultsFile(fx("vllm/detailed.json"));
    const c = gateImported({ baseline: summary, candidate: detailed, config });
    expect(c.gates[0]).toMatchObject({
      reason: "summary_kinds_differ",
      summary_kinds: { baseline: "median", candidates: ["samples"] },
    });
    const text = renderImportedText(c, "summary.json", ["detailed.json"]);
    expect(text).toContain(
      "the two sides summarise differently (baseline: a median; candidate: samples, compared by their mean)",
    );
    expect(text).not.toContain("mean against median");
  });

  it("JSON Lines of this tool's results (a matrix run): each result paired with the one of its settings", () => {
    const doc = JSON.parse(
      readFileSync(join(import.meta.dirname, "..", "fixtures", "result-generation.json"), "utf8"),
    );
    const other = { ...doc, settings: { ...doc.settings, threads: (doc.settings.threads ?? 1) + 1 } };
    const a = importResultsText(`${JSON.stringify(doc)}\n${JSON.stringify(other)}\n`, "a.jsonl");
    const b = importResultsText(`${JSON.stringify(other)}\n${JSON.stringify(doc)}\n`, "b.jsonl");
    const c = gateImported({ baseline: a, candidate: b, config });
    expect(c.gates.map((g) => [g.baseline_source, g.candidate_sources[0], g.key.differences.length])).toEqual(
      [
        ["a.jsonl line 1", "b.jsonl line 2", 0],
        ["a.jsonl line 2", "b.jsonl line 1", 0],
      ],
    );
    expect(c.unmatched_baseline).toEqual([]);
  });
});
