import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { countsVerdict } from "../../src/cli/check-release-counts.js";
import { defaultGateConfig, parseGateConfig } from "../../src/config/gate-config.js";
import { getEngine } from "../../src/engines/registry.js";
import { isCompiledCommand } from "../../src/execute/compiled-child.js";
import { engineProcessCommand } from "../../src/execute/engine-process/supervisor.js";
import { countDifferences, gateInstructions } from "../../src/gate/instructions.js";
import { instructionsBlock, unitsPerRound } from "../../src/instructions/block.js";
import {
  CallgrindFormatError,
  parseCallgrind,
  sumProfiles,
  topFunctions,
} from "../../src/instructions/callgrind.js";
import {
  callgrindWrapper,
  countedCpuVariant,
  countingPlatformProblem,
  ROUND_MARKERS,
} from "../../src/instructions/valgrind.js";
import { parseResult } from "../../src/results/io.js";
import type { BenchmarkResult, InstructionsBlock } from "../../src/results/schema.js";
import { ConfigFileError } from "../../src/util/errors.js";
import { clone, fixture, otherHardware } from "../support/gate-fixtures.js";

/** A synthesised callgrind part: llama_decode calls ggml_compute (compressed names, relative positions). */
function part(n: number, decodeSelf: number, computeSelf: number, sampleSelf: number): string {
  const total = decodeSelf + computeSelf + sampleSelf;
  return [
    "# callgrind format",
    "version: 1",
    "creator: callgrind-3.19.0",
    "pid: 4242",
    `part: ${n}`,
    "",
    "positions: line",
    "events: Ir",
    `summary: ${total}`,
    "",
    "ob=(1) /lib/libllama.so",
    "fl=(1) ???",
    "fn=(1) llama_decode",
    `0 ${decodeSelf - 10}`,
    `+2 10`,
    "cob=(2) /lib/libggml-cpu-haswell.so",
    "cfi=(2) ???",
    "cfn=(2) ggml_compute_forward",
    "calls=3 0",
    `* ${computeSelf}`,
    "",
    "ob=(2)",
    "fl=(2)",
    "fn=(2)",
    `0 ${computeSelf}`,
    "",
    "ob=(1)",
    "fl=(1)",
    "fn=(3) llama_sampler_sample",
    `0 ${sampleSelf}`,
    "",
    `totals: ${total}`,
    "",
  ].join("\n");
}

describe("callgrind parser", () => {
  it("reads totals, self and inclusive costs through compressed names and call lines", () => {
    const p = parseCallgrind(part(2, 1000, 5000, 300));
    expect(p.part).toBe(2);
    expect(p.events).toEqual(["Ir"]);
    expect(p.total).toBe(6300);
    expect(p.functions.get("llama_decode")).toEqual({ name: "llama_decode", self: 1000, inclusive: 6000 });
    expect(p.functions.get("ggml_compute_forward")).toEqual({
      name: "ggml_compute_forward",
      self: 5000,
      inclusive: 5000,
    });
    expect(p.functions.get("llama_sampler_sample")?.self).toBe(300);
    expect(topFunctions(p, 2).map((f) => f.name)).toEqual(["ggml_compute_forward", "llama_decode"]);
  });

  it("sums parts and takes the self-cost sum when there is no totals line", () => {
    const noTotals = part(1, 100, 200, 0)
      .split("\n")
      .filter((l) => !/^(totals|summary):/.test(l))
      .join("\n");
    expect(parseCallgrind(noTotals).total).toBe(300);
    const s = sumProfiles([parseCallgrind(part(1, 100, 200, 0)), parseCallgrind(part(2, 100, 250, 5))]);
    expect(s.total).toBe(655);
    expect(s.functions.get("ggml_compute_forward")?.self).toBe(450);
  });

  it("refuses text that is not callgrind output", () => {
    expect(() => parseCallgrind("hello\nworld\n")).toThrow(CallgrindFormatError);
    expect(() => parseCallgrind("events: Ir\nfn=x\n0 -5\n")).toThrow(CallgrindFormatError);
  });
});

function counted(
  base: BenchmarkResult,
  perRound: number[],
  decodeSelf: number,
  computeSelf: number,
): BenchmarkResult {
  const r = clone(base);
  const units =
    r.mode === "generation" ? r.samples.map((s) => s.output_tokens) : r.samples.map((s) => s.calls);
  const total = perRound.reduce((a, x) => a + x, 0);
  const unitSum = units.slice(0, perRound.length).reduce((a, x) => a + x, 0);
  const block: InstructionsBlock = {
    counter: "callgrind",
    valgrind_version: "3.19.0",
    cpu_backend_variant: "haswell",
    threads: 1,
    counted_functions: ["llama_decode", "llama_sampler_sample"],
    rounds: perRound.length,
    warmup_rounds: 1,
    max_new_tokens: r.mode === "generation" ? r.max_new_tokens : 0,
    workload_digest: r.workload.digest,
    wall_time_comparable: false,
    unit: r.mode === "generation" ? "output_token" : "embedding_call",
    per_round: perRound,
    units_per_round: units.slice(0, perRound.length),
    per_unit: total / unitSum,
    functions: [
      { name: "ggml_compute_forward", self: computeSelf, inclusive: computeSelf },
      { name: "llama_decode", self: decodeSelf, inclusive: decodeSelf + computeSelf },
    ],
  };
  return parseResult({ ...r, instructions: block }, "synthesised");
}

describe("instruction gate", () => {
  const config = defaultGateConfig();
  const gen = fixture("generation-a");
  const t = config.instruction_thresholds.generation;

  it("defaults to 2 % for both modes and validates the thresholds", () => {
    expect(config.instruction_thresholds).toEqual({ generation: 0.02, embedding: 0.02 });
    expect(() => parseGateConfig({ instruction_thresholds: { generation: 0 } }, "c.json")).toThrow(
      ConfigFileError,
    );
    expect(() => parseGateConfig({ instruction_thresholds: { generation: 1.5 } }, "c.json")).toThrow(
      ConfigFileError,
    );
    expect(() => parseGateConfig({ instruction_thresholds: { generatoin: 0.02 } }, "c.json")).toThrow(
      ConfigFileError,
    );
  });

  it("PASS for identical counts and for a rise just below the threshold; REGRESSION at the threshold", () => {
    const base = counted(gen, [1_000_000, 1_000_000], 100_000, 900_000);
    expect(gateInstructions(base, counted(gen, [1_000_000, 1_000_000], 100_000, 900_000), t)?.verdict).toBe(
      "PASS",
    );
    const below = counted(gen, [1_019_000, 1_019_000], 100_000, 919_000);
    expect(gateInstructions(base, below, t)?.verdict).toBe("PASS");
    const at = counted(gen, [1_020_000, 1_020_000], 100_000, 920_000);
    const r = gateInstructions(base, at, t);
    expect(r?.verdict).toBe("REGRESSION");
    expect(r?.change).toBeCloseTo(0.02, 10);
    expect(r?.grew_most?.name).toBe("ggml_compute_forward");
    expect(r?.reasons.join("\n")).toMatch(/baseline .* candidate .*\+2\.000 %/);
    expect(r?.reasons.join("\n")).toMatch(/grew most: ggml_compute_forward/);
  });

  it("grew most: a function below the baseline's listed ones is not new, a listed one that grew is named", () => {
    const base = counted(gen, [1_000_000, 1_000_000], 100_000, 900_000);
    const cand = clone(base);
    const block = cand.instructions as InstructionsBlock;
    // just below the baseline's smallest listed self count: it may only have been cut off the baseline's list
    const smallest = Math.min(...(base.instructions as InstructionsBlock).functions.map((f) => f.self));
    block.functions = [...block.functions, { name: "cut_off_before", self: smallest, inclusive: smallest }];
    expect(gateInstructions(base, cand, t)?.grew_most).toBeNull();
    block.functions = [
      ...block.functions,
      { name: "really_new", self: smallest * 3, inclusive: smallest * 3 },
    ];
    expect(gateInstructions(base, cand, t)?.grew_most?.name).toBe("really_new");
    expect(gateInstructions(base, cand, t)?.grew_most?.change).toBe(Number.POSITIVE_INFINITY);
  });

  it("fewer instructions is a PASS", () => {
    const base = counted(gen, [1_000_000, 1_000_000], 100_000, 900_000);
    expect(gateInstructions(base, counted(gen, [900_000, 900_000], 100_000, 800_000), t)?.verdict).toBe(
      "PASS",
    );
  });

  it("another CPU variant, engine version or workload is INCOMPARABLE; another machine is not", () => {
    const base = counted(gen, [1_000_000, 1_000_000], 100_000, 900_000);
    const variant = clone(base);
    (variant.instructions as InstructionsBlock).cpu_backend_variant = "zen4";
    expect(gateInstructions(base, variant, t)?.verdict).toBe("INCOMPARABLE");
    const version = clone(base);
    version.engine.versions = { ...version.engine.versions, llama_cpp: "b9999" };
    expect(countDifferences(base, version).map((d) => d.field)).toContain("engine.versions.llama_cpp");
    const workload = clone(base);
    (workload.instructions as InstructionsBlock).workload_digest = "f".repeat(64);
    expect(gateInstructions(base, workload, t)?.verdict).toBe("INCOMPARABLE");
    const machine = otherHardware(base);
    const r = gateInstructions(base, machine, t);
    expect(r?.verdict).toBe("PASS");
    expect(r?.hardware_differs).toBe(true);
  });

  it("no verdict without counts on both sides", () => {
    expect(gateInstructions(gen, gen, t)).toBeNull();
  });
});

describe("instructions block from profile parts", () => {
  const gen = fixture("generation-a");
  const parts = (totals: number[]) => totals.map((x, i) => parseCallgrind(part(i + 1, 10, x - 10, 0)));

  it("one part per round after the warmup: per-round counts of the measured rounds", () => {
    const r = clone(gen);
    r.warmup_rounds = 1;
    r.samples = r.samples.slice(0, 2);
    const n = unitsPerRound(r)[0] ?? 1;
    const b = instructionsBlock(r, [parseCallgrind("events: Ir\ntotals: 0\n"), ...parts([999, 500, 600])], {
      valgrindVersion: "3.19.0",
      callsPerRound: 1,
      wallTimeComparable: false,
    });
    expect(b.per_round).toEqual([500, 600]);
    expect(b.per_unit).toBeCloseTo(1100 / (2 * n), 10);
  });

  it("parts that do not line up with rounds: counted over the whole run, per_round empty", () => {
    const r = clone(gen);
    r.warmup_rounds = 1;
    r.samples = r.samples.slice(0, 2);
    const n = unitsPerRound(r)[0] ?? 1;
    const b = instructionsBlock(r, parts([300, 300]), {
      valgrindVersion: "3.19.0",
      callsPerRound: 1,
      wallTimeComparable: false,
    });
    expect(b.per_round).toEqual([]);
    expect(b.per_unit).toBeCloseTo(600 / (3 * n), 10);
  });
});

describe("where counting runs", () => {
  it("names the platform and the install command", () => {
    expect(countingPlatformProblem("darwin", "arm64")).toMatch(/macOS arm64.*apt-get install valgrind/);
    expect(countingPlatformProblem("win32", "x64")).toMatch(/Windows/);
    expect(countingPlatformProblem("linux", "x64")).toBeNull();
  });
});

describe("the counted engine process", () => {
  it("runs compiled JavaScript under valgrind, never TypeScript through tsx", () => {
    // from a clone (as here) the engine process command names child.ts through tsx's loader
    expect(isCompiledCommand(engineProcessCommand())).toBe(false);
    expect(isCompiledCommand(["/pkg/dist/execute/engine-process/child.js"])).toBe(true);
  });

  it("dumps a part before each round of either local engine", () => {
    const argv = callgrindWrapper("/tmp/cg.%p", true);
    for (const marker of ROUND_MARKERS) expect(argv).toContain(`--dump-before=${marker}`);
    expect(argv).toContain("--collect-atstart=no");
    expect(argv).not.toContain("--instr-atstart=no");
  });

  it("can start uninstrumented, for callgrind_control to switch instrumentation on after the model load", () => {
    const argv = callgrindWrapper("/tmp/cg.%p", true, "valgrind", false);
    expect(argv).toContain("--instr-atstart=no");
    expect(argv).toContain("--collect-atstart=no");
  });

  it("pins ggml's CPU variant on x86-64 only (valgrind emulates FMA slowly; counts compare across AVX machines)", () => {
    expect(countedCpuVariant("x64")).toBe("ivybridge");
    expect(countedCpuVariant("arm64")).toBeUndefined();
  });
});

describe("check-release's instruction verdict when it cannot count", () => {
  const config = defaultGateConfig();
  const engine = getEngine("llama-cpp");
  const gen = fixture("generation-a");
  const plan = {
    shape: { mode: "generation" as const, rounds: 1, warmup: 0, maxNewTokens: 16 },
    options: {},
  };

  it("a baseline without counts: skipped, saying how to get them", async () => {
    const v = await countsVerdict(gen, engine, plan, config);
    expect(v.report).toBeNull();
    expect(v.text).toBe(
      "generation instructions: skipped: the baseline has no instruction counts (recapture it with valgrind installed)",
    );
  });

  it("valgrind not on PATH: skipped with the install command, nothing run", async () => {
    const base = counted(gen, [1_000_000], 100_000, 900_000);
    const path = process.env.PATH;
    process.env.PATH = mkdtempSync(join(tmpdir(), "pb-no-valgrind-"));
    try {
      const v = await countsVerdict(base, engine, plan, config);
      expect(v.capture).toBeNull();
      expect(v.text).toBe("generation instructions: skipped: valgrind not found (apt-get install valgrind)");
    } finally {
      process.env.PATH = path;
    }
  });
});
