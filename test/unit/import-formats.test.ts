/**
 * The importers (src/import/): each format reads its fixture (test/fixtures/import/<format>/, sources in
 * SOURCE.md), is detected from the content, and bad input gets one line naming the file and the field.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importResultsText, readResultsFile } from "../../src/import/registry.js";
import { ResultFileError } from "../../src/util/errors.js";

const DIR = join(import.meta.dirname, "..", "fixtures", "import");
const fx = (p: string) => join(DIR, p);
const text = (p: string) => readFileSync(fx(p), "utf8");

/** The one-line message of the ResultFileError `fn` throws. */
function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ResultFileError);
    const msg = (err as Error).message;
    expect(msg).not.toContain("\n");
    return msg;
  }
  throw new Error("no error");
}

describe("each format imports from its fixture", () => {
  it("llama-bench json, jsonl and csv: one test per entry, named as llama-bench names them, with the key", () => {
    for (const f of ["readme.json", "readme.jsonl", "readme.csv"]) {
      const r = readResultsFile(fx(`llama-bench/${f}`));
      expect(r.map((t) => t.format)).toEqual(["llama-bench", "llama-bench"]);
      expect(r.map((t) => t.test)).toEqual(["pp512", "tg128"]);
      expect(r[0]?.tool_version).toBe("8cf427ff (build 5163)");
      expect(r[0]?.key.n_threads).toBe(8);
      expect(r[0]?.key.model_type).toBe("qwen2 7B Q4_K - Medium");
      expect(r[0]?.metrics[0]?.direction).toBe("higher");
    }
    expect(readResultsFile(fx("llama-bench/readme.json"))[1]?.metrics[0]?.samples).toEqual([
      119.03, 120.178, 119.43, 118.307, 117.464,
    ]);
    const csv = readResultsFile(fx("llama-bench/readme.csv"));
    expect(csv[0]?.metrics[0]?.samples).toBeNull();
    expect(csv[0]?.not_carried[0]).toMatch(/per-repetition samples/);
  });

  it("the specification's example: a summary, its key from mode, model path, rounds, platform, processor, python", () => {
    const [r] = readResultsFile(fx("specification/example.json"));
    expect(r?.format).toBe("specification");
    expect(r?.mode).toBe("embedding");
    expect(r?.metrics).toEqual([
      {
        name: "calls_per_second",
        unit: "calls/s",
        direction: "higher",
        samples: null,
        value: 123.4,
        value_kind: "value",
      },
    ]);
    expect(r?.key).toEqual({
      mode: "embedding",
      model_path: "benchmark-model",
      rounds: 30,
      platform: "macOS-15.3-x86_64-i386-64bit",
      processor: "Intel(R) Core(TM) i7-1068NG7",
      python_version: "3.12.3",
      input_texts: 2,
    });
  });

  it("vLLM: per-request TTFT and mean ITL in ms when detailed, the medians otherwise", () => {
    const [d] = readResultsFile(fx("vllm/detailed.json"));
    expect(d?.format).toBe("vllm");
    expect(d?.metrics.map((m) => m.name)).toEqual([
      "ttft_ms",
      "itl_ms",
      "tpot_ms",
      "output_tokens_per_second",
      "requests_per_second",
    ]);
    expect(d?.metrics[0]?.samples).toHaveLength(12);
    expect(d?.key.max_concurrency).toBe(4);
    const [s] = readResultsFile(fx("vllm/summary.json"));
    expect(s?.metrics[0]).toMatchObject({ name: "ttft_ms", samples: null, value: 82, value_kind: "median" });
  });

  it("AIPerf: the aggregate JSON as a summary, the JSONL per request (failed requests left out)", () => {
    const [a] = readResultsFile(fx("aiperf/profile_export_aiperf.json"));
    expect(a?.format).toBe("aiperf");
    expect(a?.metrics.find((m) => m.name === "ttft_ms")?.value).toBeCloseTo(1588.797775365);
    expect(a?.key).toMatchObject({ model: "openai/gpt-oss-20b", concurrency: 100, streaming: true });
    const [j] = readResultsFile(fx("aiperf/profile_export.jsonl"));
    expect(j?.format).toBe("aiperf-jsonl");
    expect(j?.metrics[0]?.samples).toHaveLength(12);
    expect(j?.not_carried).toContain("1 failed request(s) (error not null)");
  });

  it("GuideLLM: one test per benchmark, per request where kept", () => {
    const r = readResultsFile(fx("guidellm/benchmarks.json"));
    expect(r.map((t) => t.test)).toEqual(["constant@5", "synchronous"]);
    expect(r[0]?.metrics[0]?.samples).toHaveLength(12);
    expect(r[1]?.metrics[0]?.samples).toBeNull();
    expect(r[0]?.tool_version).toBe("0.3.0");
  });

  it("Bencher, github-action-benchmark and hyperfine", () => {
    const b = readResultsFile(fx("bencher/bmf-example.json"));
    expect(b.map((t) => t.test)).toEqual(["benchmark_name", "/bin/sh -c ./my_build_script.sh", "my_binary"]);
    expect(b[0]?.metrics.map((m) => m.direction)).toEqual(["lower", "higher"]);
    expect(b[2]?.metrics[0]?.direction).toBeNull();
    expect(
      readResultsFile(fx("bencher/bmf-example.json"), { direction: "lower" })[2]?.metrics[0]?.direction,
    ).toBe("lower");
    const g = readResultsFile(fx("github-action-benchmark/custom.json"));
    expect(g[0]?.metrics[0]?.direction).toBeNull();
    const forced = readResultsFile(fx("github-action-benchmark/custom.json"), {
      format: "customSmallerIsBetter",
    });
    expect(forced[0]?.metrics[0]).toMatchObject({ direction: "lower", value: 50, unit: "Percent" });
    const h = readResultsFile(fx("hyperfine/export.json"));
    expect(h.map((t) => t.test)).toEqual(["sleep 0.1", "sleep 0.2"]);
    expect(h[0]?.metrics[0]).toMatchObject({ name: "time_s", direction: "lower" });
    expect(h[0]?.metrics[0]?.samples).toHaveLength(10);
  });

  it("a JSON Lines file of one line (llama-bench, AIPerf) is read as such", () => {
    const one = text("llama-bench/readme.jsonl").split("\n")[1] as string;
    expect(importResultsText(`${one}\n`, "one.jsonl").map((t) => t.test)).toEqual(["tg128"]);
    const rec = text("aiperf/profile_export.jsonl").split("\n")[0] as string;
    expect(importResultsText(`${rec}\n`, "one-record.jsonl")[0]?.metrics[0]?.samples).toHaveLength(1);
  });

  it("this tool's own result, one document and JSON Lines of several, kept whole", () => {
    const doc = text("result-generation.json".replace(/^/, "../"));
    const one = importResultsText(doc, "a.json");
    expect(one[0]?.result?.schema_version).toBe(3);
    const compact = JSON.stringify(JSON.parse(doc));
    const two = importResultsText(`${compact}\n${compact}\n`, "matrix.jsonl");
    expect(two.map((t) => t.source)).toEqual(["matrix.jsonl line 1", "matrix.jsonl line 2"]);
    expect(two[1]?.result).toBeDefined();
  });
});

describe("bad input: one line naming the file and the field", () => {
  it("a file of no known format names the formats tried", () => {
    expect(problem(() => importResultsText("hello\n", "x.txt"))).toMatch(
      /x\.txt: not a results file of any known format .*tried perf-baseline, specification, llama-bench, vllm/,
    );
  });

  it("a file half one format and half another", () => {
    const lines = text("llama-bench/readme.jsonl").split("\n")[0];
    const aiperf = text("aiperf/profile_export.jsonl").split("\n")[0];
    expect(problem(() => importResultsText(`${lines}\n${aiperf}\n`, "mixed.jsonl"))).toBe(
      "mixed.jsonl line 2: is aiperf-jsonl, but line 1 is llama-bench: a file holds one format",
    );
  });

  it("a llama-bench CSV with a missing column, or a short row", () => {
    const csv = text("llama-bench/readme.csv");
    const [header = "", ...rows] = csv.trimEnd().split("\n");
    const cut = (line: string) => line.split(",").slice(0, -2).join(",");
    expect(problem(() => importResultsText(`${cut(header)}\n${rows.map(cut).join("\n")}\n`, "b.csv"))).toBe(
      "b.csv: column avg_ts: missing from the CSV header",
    );
    expect(problem(() => importResultsText(`${header}\n${cut(rows[0] ?? "")}\n`, "c.csv"))).toMatch(
      /^c\.csv row 1: has \d+ cells, the header names \d+ columns$/,
    );
  });

  it("vLLM arrays of different lengths", () => {
    const doc = JSON.parse(text("vllm/detailed.json"));
    doc.output_lens.pop();
    expect(problem(() => importResultsText(JSON.stringify(doc), "v.json"))).toBe(
      "v.json: field output_lens: 11 entries but ttfts has 12 (one per request)",
    );
  });

  it("NaN, negative and non-numeric figures", () => {
    const doc = JSON.parse(text("hyperfine/export.json"));
    doc.results[0].times[3] = -0.1;
    expect(problem(() => importResultsText(JSON.stringify(doc), "h.json"))).toBe(
      "h.json results.0: field times.3: -0.1 is negative",
    );
    const nan = text("vllm/detailed.json").replace('"duration": 2.41', '"duration": NaN');
    expect(problem(() => importResultsText(nan, "n.json"))).toBe(
      "n.json: field duration: NaN is not a number JSON can hold (a figure that could not be measured)",
    );
    const csv = text("llama-bench/readme.csv").replace('"7285.676949"', '"nan"');
    expect(problem(() => importResultsText(csv, "l.csv"))).toBe(
      "l.csv row 1: field avg_ts: nan is not a finite number",
    );
    const seed = JSON.parse(text("specification/example.json"));
    seed.calls_per_second = "fast";
    expect(problem(() => importResultsText(JSON.stringify(seed), "s.json"))).toBe(
      "s.json: field calls_per_second: not a number",
    );
  });

  it("a summary with no metric the gate knows", () => {
    const doc = { request_throughput: { unit: "requests/sec" }, input_config: {} };
    expect(problem(() => importResultsText(JSON.stringify(doc), "a.json"))).toBe(
      "a.json: field time_to_first_token: no metric the gate knows",
    );
  });
});
