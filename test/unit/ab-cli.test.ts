/** The sides of `ab` (parsed like bench's flags, one-line errors) and its report in each format. */
import { describe, expect, it } from "vitest";
import { parseSideSpec } from "../../src/cli/ab-sides.js";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import { abReport } from "../../src/gate/ab-report.js";
import { type AbSide, runAb } from "../../src/gate/paired.js";
import { getFormat } from "../../src/report/registry.js";
import { UsageError } from "../../src/util/errors.js";
import { fixture, scaled, squeezed } from "../support/gate-fixtures.js";

const shape = { mode: "generation" as const, rounds: 5, warmup: 1, maxNewTokens: 8 };

describe("ab sides", () => {
  it("parses a local and a serving specification with bench's flags, quotes as a shell would", () => {
    const a = parseSideSpec("a", "--preset tiny --threads 1", shape);
    expect(a.engine.name).toBe("llama-cpp");
    expect(a.label).toBe("A");
    const b = parseSideSpec("b", "--engine openai --base-url 'http://127.0.0.1:8080/v1'", shape);
    expect(b.engine.name).toBe("openai");
    const spaced = parseSideSpec("a", '--model "/tmp/a model.gguf"', shape);
    expect(JSON.stringify(spaced.options)).toContain("/tmp/a model.gguf");
  });

  it.each([
    ["--rounds 3", /^--b: --rounds is shared by both sides/],
    ["--preset tiny; rm -rf x", /^--b: only engine flags are allowed, not shell syntax/],
    ["--concurrency 2", /^--b: --concurrency applies to --engine openai/],
    ["--threads 0", /^--b: --threads must be a whole number of threads from 1 to/],
    ["stray --preset tiny", /unexpected argument "stray"/],
    ["--no-such-flag", /no-such-flag/],
  ])("%s: a one-line UsageError naming the side", (spec, pattern) => {
    let err: unknown;
    try {
      parseSideSpec("b", spec, shape);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(pattern);
    expect((err as Error).message).not.toContain("\n");
  });
});

describe("ab report", () => {
  it("renders text, json and markdown with the verdict, blocks and exit code", async () => {
    const gen = squeezed(fixture("generation-a"), 0.1);
    let clock = 0;
    const runSide = async (side: AbSide) => {
      clock += 5;
      return side === "a" ? gen : scaled(gen, 0.7);
    };
    const config = defaultGateConfig();
    const budget = { min_blocks: 8, max_blocks: 8, max_seconds: 1000 };
    const outcome = await runAb("generation", config, budget, runSide, () => clock);
    const report = abReport(outcome, "generation", config, { a: "--preset tiny", b: "--preset tiny (slow)" });
    expect(report.verdict).toBe("REGRESSION");
    expect(report.exit_code).toBe(1);
    const text = getFormat("text").render({ kind: "ab", report });
    expect(text).toMatch(/^generation A\/B: tokens_per_second/);
    expect(text).toMatch(/REGRESSION: 8 blocks: B\/A ratio 0\.700/);
    expect(text).toMatch(/exit code 1\n$/);
    expect(JSON.parse(getFormat("json").render({ kind: "ab", report })).blocks).toHaveLength(8);
    expect(getFormat("markdown").render({ kind: "ab", report })).toMatch(/^### generation A\/B: REGRESSION/);
  });
});
