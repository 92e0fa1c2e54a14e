/**
 * The stored-baseline gate's decision table (src/gate/decision-table.ts) on synthesised facts: every row is
 * reachable, each gives its verdict and reason code, the table asks for the next stage when the facts stop
 * short, and its shape holds (ids unique, rows sorted by stage, the last row always holds).
 */
import { describe, expect, it } from "vitest";
import { defaultGateConfig, noisyCvOf, thresholdOf } from "../../src/config/gate-config.js";
import type { Analysis } from "../../src/gate/analysis.js";
import type { Comparability } from "../../src/gate/comparability.js";
import { type Decision, decide, GATE_TABLE } from "../../src/gate/decision-table.js";
import {
  type CaptureOneFacts,
  type GateFacts,
  type PooledFacts,
  type SampleFacts,
  type SetupFacts,
  STAGES,
} from "../../src/gate/facts.js";
import type { Contention } from "../../src/gate/reasons.js";
import { reasonText } from "../../src/gate/reasons.js";
import { fixture } from "../support/gate-fixtures.js";

const config = defaultGateConfig();
const t = thresholdOf(config, "generation");
const genA = fixture("generation-a");

const comparable: Comparability = { comparable: true, blocking: [], versions: [], informational: [] };
const incomparable: Comparability = {
  comparable: false,
  blocking: [{ field: "settings.threads", baseline: "1", candidate: "2" }],
  versions: [],
  informational: [],
};

/** An analysis that neither passes nor shows a regression (its interval straddles 1 - T), unless overridden. */
function analysis(label: string, over: Partial<Analysis> = {}): Analysis {
  return {
    label,
    baseline: { n: 20, median: 100, robust_cv: 0.01 },
    candidate: { n: 20, median: 95, robust_cv: 0.01 },
    ratio: 0.95,
    drop: 0.05,
    ci: { low: 0.8, high: 1.05, confidence: 0.95 },
    p_value: 0.2,
    threshold: t,
    noisy: false,
    straddles: true,
    shows_regression: false,
    clearly_below_threshold: false,
    ...over,
  };
}

const passing = { clearly_below_threshold: true, straddles: false, ratio: 1.01, drop: -0.01 };
const regressing = { shows_regression: true, straddles: false, ratio: 0.7, drop: 0.3, p_value: 0.001 };

/** A baseline captured under more load than the candidate: it may hide a drop of up to 80 %. */
const busyBaseline: Contention = {
  code: "busier_share",
  label: "the baseline",
  other_label: "capture 1",
  other_cores: 1.4,
  process_cores: 0.5,
  share_drop: 0.4,
  quieter_process_cores: 0.83,
  text: "other processes used 1.40 CPU cores during the baseline and ...",
  hideable_drop: 0.8,
};
/** A capture whose serving client was the bottleneck. */
const saturated = { label: "capture 1", evidence: ["event-loop delay p99 55.0 ms > 25 ms"] };
const busyCapture: Contention = { ...busyBaseline, label: "capture 1", other_label: "the baseline" };

function setup(over: Partial<SetupFacts> = {}): SetupFacts {
  return {
    input: { baseline: genA, candidate: genA, config, baselineSource: "b.json", candidateSource: "c.json" },
    baseline: genA,
    config,
    mode: "generation",
    metric: { name: "tokens_per_second", direction: "higher", threshold: t },
    blockApplies: true,
    t,
    noisyCv: noisyCvOf(config, "generation"),
    allowIncomplete: false,
    canCaptureAgain: true,
    comparability: comparable,
    stale: { stale: false, reasons: [], unchecked: [], coded_reasons: [], coded_unchecked: [] },
    notes: [],
    ...over,
  };
}

const rounds = (n: number) => Array.from({ length: n }, () => 100);

function samples(a1: Partial<Analysis> = {}, over: Partial<SampleFacts> = {}): SampleFacts {
  return { base: rounds(20), first: rounds(20), a1: analysis("capture 1", a1), ...over };
}

function one(over: Partial<CaptureOneFacts> = {}): CaptureOneFacts {
  return {
    noisySpread: null,
    noisy: false,
    busy1: null,
    busyBaseline: null,
    fixes: [],
    saturated: [],
    ...over,
  };
}

function pooled(a2: Partial<Analysis>, p: Partial<Analysis>, over: Partial<PooledFacts> = {}): PooledFacts {
  return {
    a2: analysis("capture 2", a2),
    pooled: analysis("pooled", p),
    busy2: null,
    drift: { drift: null, within: null },
    saturated2: null,
    ...over,
  };
}

/** Facts through capture 1 and its drift, with a noisy capture 1 (so that a second capture is needed). */
function throughDrift(a1: Partial<Analysis> = {}, o: Partial<CaptureOneFacts> = {}): GateFacts {
  return { setup: setup(), samples: samples(a1), one: one(o), drift1: { drift: null, within: null } };
}

/** Facts through the pooled stage: capture 1 noisy (so a second capture was needed), taken and comparable. */
function throughPooled(
  a1: Partial<Analysis>,
  p: PooledFacts,
  o: Partial<CaptureOneFacts> = {},
  s: Partial<SetupFacts> = {},
): GateFacts {
  return {
    setup: setup(s),
    samples: samples({ noisy: true, ...a1 }),
    one: one({ noisy: true, ...o }),
    drift1: { drift: null, within: null },
    needed: { why: [] },
    second: { capture: genA, source: "c.json (second capture)", note: null, comparability: comparable },
    pooled: p,
  };
}

const within = {
  code: "within_drift" as const,
  baseline_medians: [100, 101],
  candidate_medians: [80, 90],
  p_value: 0.2,
  drift_alpha: config.drift_alpha,
};

/** One case per row of the table: the facts and the row that must decide. */
const CASES: Array<{ row: string; facts: GateFacts }> = [
  { row: "incomparable", facts: { setup: setup({ comparability: incomparable }) } },
  {
    row: "stale-baseline",
    facts: {
      setup: setup({
        config: { ...config, rebaseline: { ...config.rebaseline, on_stale: "incomparable" } },
        stale: {
          stale: true,
          reasons: ["engine.versions.llama_cpp b1 -> b2"],
          unchecked: [],
          coded_reasons: [],
          coded_unchecked: [],
        },
      }),
    },
  },
  { row: "baseline-too-few-rounds", facts: { setup: setup(), samples: samples({}, { base: rounds(3) }) } },
  { row: "candidate-too-few-rounds", facts: { setup: setup(), samples: samples({}, { first: rounds(3) }) } },
  // a regressing capture 1 whose client was saturated: no REGRESSION
  { row: "client-saturated", facts: throughDrift(regressing, { saturated: [saturated] }) },
  {
    row: "capture-1-pass-hidden-by-busier-baseline",
    facts: { setup: setup(), samples: samples(passing), one: one({ busyBaseline }) },
  },
  { row: "capture-1-pass", facts: { setup: setup(), samples: samples(passing), one: one({ noisy: true }) } },
  { row: "capture-1-regression", facts: throughDrift(regressing) },
  { row: "capture-1-not-significant", facts: throughDrift({ straddles: false, drop: 0.2 }) },
  {
    row: "no-second-capture",
    facts: {
      ...throughDrift({ noisy: true }, { noisy: true }),
      setup: setup({ canCaptureAgain: false }),
      needed: { why: [] },
    },
  },
  {
    row: "second-capture-incomparable",
    facts: {
      ...throughDrift({ noisy: true }, { noisy: true }),
      needed: { why: [] },
      second: { capture: genA, source: "c.json (second capture)", note: null, comparability: incomparable },
    },
  },
  {
    row: "second-capture-client-saturated",
    facts: throughPooled(
      regressing,
      pooled(regressing, regressing, { saturated2: { ...saturated, label: "capture 2" } }),
    ),
  },
  {
    row: "two-captures-regression-but-busier",
    facts: throughPooled(regressing, pooled(regressing, regressing), { busy1: busyCapture }),
  },
  {
    row: "two-captures-regression-within-drift",
    facts: throughPooled(regressing, pooled(regressing, regressing, { drift: { drift: null, within } })),
  },
  { row: "two-captures-regression", facts: throughPooled(regressing, pooled(regressing, regressing)) },
  {
    row: "pooled-pass-hidden-by-busier-baseline",
    facts: throughPooled({}, pooled({}, passing), { busyBaseline }),
  },
  { row: "pooled-pass", facts: throughPooled({}, pooled({}, passing)) },
  {
    row: "pooled-drop-below-threshold-but-noisy",
    facts: throughPooled({}, pooled({}, { drop: t / 2 })),
  },
  {
    row: "pooled-drop-not-shown-by-each",
    facts: throughPooled(regressing, pooled({ drop: 0.2 }, { drop: 0.2, shows_regression: true })),
  },
];

function decided(facts: GateFacts): Decision {
  const step = decide(facts);
  if ("next" in step) throw new Error(`the table asked for stage ${step.next}`);
  return step;
}

describe("the gate's decision table", () => {
  it("has unique row ids, rows sorted by stage, and a last row that always holds", () => {
    const ids = GATE_TABLE.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const order = GATE_TABLE.map((r) => STAGES.indexOf(r.stage));
    expect(order).toEqual([...order].sort((x, y) => x - y));
    const last = GATE_TABLE[GATE_TABLE.length - 1];
    const facts = throughPooled({}, pooled({}, {}));
    expect(last?.when(facts)).toBe(true);
  });

  it("has one case here per row, and each row decides its case", () => {
    expect(CASES.map((c) => c.row)).toEqual(GATE_TABLE.map((r) => r.id));
    for (const c of CASES) {
      const d = decided(c.facts);
      const row = GATE_TABLE.find((r) => r.id === c.row);
      expect(d.row, c.row).toBe(c.row);
      expect(d.verdict, c.row).toBe(row?.verdict);
      expect(reasonText(d.reason).length, c.row).toBeGreaterThan(0);
    }
  });

  it("gives each row's verdict and reason code", () => {
    const got = Object.fromEntries(CASES.map((c) => [c.row, decided(c.facts)]));
    expect(got.incomparable?.reason.code).toBe("not_comparable");
    expect(got["capture-1-pass"]?.verdict).toBe("PASS");
    expect(reasonText(got["capture-1-pass"]?.reason ?? { code: "no_function_grew" })).toMatch(
      /^capture 1: ratio 1\.010 \(drop -1\.0 %\), CI \[0\.800, 1\.050\], p 0\.20: the drop is below 12\.0 % \(noisy, but the interval already excludes a drop of T\)$/,
    );
    expect(got["capture-1-regression"]?.verdict).toBe("REGRESSION");
    expect(got["two-captures-regression"]?.reason.code).toBe("regression_each_capture");
    expect(got["two-captures-regression"]?.numbers.map((n) => n.analysis)).toEqual([
      "capture 1",
      "capture 2",
      "pooled",
    ]);
    expect(got["two-captures-regression-within-drift"]?.fixes).toEqual([{ code: "quiet_machine_for_drift" }]);
    expect(got["no-second-capture"]?.fixes).toEqual([{ code: "give_second_capture" }]);
    expect(got["pooled-drop-not-shown-by-each"]?.reason).toMatchObject({ failing: ["capture 2"] });
    expect(got["candidate-too-few-rounds"]?.fixes).toEqual([{ code: "raise_candidate_rounds", rounds: 20 }]);
  });

  it("asks for the next stage where the facts stop, and never decides a REGRESSION on setup alone", () => {
    expect(decide({ setup: setup() })).toEqual({ next: "samples" });
    expect(decide({ setup: setup(), samples: samples() })).toEqual({ next: "one" });
    expect(decide({ setup: setup(), samples: samples(), one: one() })).toEqual({ next: "drift1" });
    expect(decide(throughDrift({ noisy: true }, { noisy: true }))).toEqual({ next: "needed" });
    expect(decide({ ...throughDrift({ noisy: true }, { noisy: true }), needed: { why: [] } })).toEqual({
      next: "second",
    });
  });
});
