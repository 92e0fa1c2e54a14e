import { describe, expect, it } from "vitest";
import { choiceFlag, commandHelp, flagReader, intFlag, parseCommandArgs } from "../../src/cli/args.js";
import { benchCommand } from "../../src/cli/commands/bench.js";
import { shellQuote } from "../../src/cli/invocation.js";
import { engineNames } from "../../src/engines/registry.js";
import { UsageError } from "../../src/util/errors.js";
import { MODES } from "../../src/workload/workload.js";

describe("integer flags", () => {
  it("accepts positive integers and applies the default when absent", () => {
    expect(intFlag({ rounds: "30" }, "rounds", 5)).toBe(30);
    expect(intFlag({}, "rounds", 5)).toBe(5);
    expect(intFlag({ warmup: "0" }, "warmup", 3, { allowZero: true })).toBe(0);
  });
  for (const bad of ["0", "-1", "1.5", "abc", "", "1e3", "0x10", "99999999999999999999"]) {
    it(`rejects --rounds ${JSON.stringify(bad)} with a one-line message naming the flag`, () => {
      expect(() => intFlag({ rounds: bad }, "rounds", 5)).toThrow(UsageError);
      expect(() => intFlag({ rounds: bad }, "rounds", 5)).toThrow(/--rounds must be a positive integer/);
    });
  }
  it("rejects a negative warmup even where zero is allowed", () => {
    expect(() => intFlag({ warmup: "-2" }, "warmup", 3, { allowZero: true })).toThrow(/non-negative integer/);
  });
  it("enforces an upper bound", () => {
    expect(() => intFlag({ "max-new-tokens": "40000" }, "max-new-tokens", 64, { max: 32768 })).toThrow(
      /up to 32768/,
    );
  });
});

describe("choice flags", () => {
  it("accepts known modes and names the choices for an unknown one", () => {
    expect(choiceFlag({ mode: "embedding" }, "mode", MODES, "generation")).toBe("embedding");
    expect(() => choiceFlag({ mode: "training" }, "mode", MODES, "generation")).toThrow(
      /--mode must be one of generation, embedding, got "training"/,
    );
  });
});

describe("strict parsing", () => {
  it("rejects an unknown flag and a stray argument", () => {
    expect(() => parseCommandArgs(benchCommand, ["--bogus"])).toThrow(UsageError);
    expect(() => parseCommandArgs(benchCommand, ["stray"])).toThrow(/unexpected argument "stray"/);
  });
  it("rejects a string flag without its value", () => {
    expect(() => parseCommandArgs(benchCommand, ["--rounds"])).toThrow(UsageError);
  });
  it("parses the seed's flags", () => {
    const { values } = parseCommandArgs(benchCommand, [
      "--mode",
      "generation",
      "--rounds",
      "30",
      "--max-new-tokens",
      "64",
    ]);
    expect(values).toMatchObject({ mode: "generation", rounds: "30", "max-new-tokens": "64" });
  });
});

describe("shell quoting of the recorded invocation", () => {
  it("leaves plain words alone and quotes the rest", () => {
    expect(shellQuote("--rounds")).toBe("--rounds");
    expect(shellQuote("docs/baseline-generation.json")).toBe("docs/baseline-generation.json");
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });
});

describe("help and ranges come from the flag's one declaration", () => {
  it("renders --rounds' range and default from SHAPE_FLAGS (RUN_LIMITS)", () => {
    const help = commandHelp(benchCommand, engineNames());
    expect(help).toMatch(
      /--rounds <N> +measured rounds; openai: the default request count; bench --counter instructions: 1 unless given \(counts are deterministic\) \(1 to 100000; default: 30\)/,
    );
  });
  it("names an engine once in a merged engine flag", () => {
    const help = commandHelp(benchCommand, engineNames());
    expect(help).not.toMatch(/openai: openai:|llama-cpp: llama-cpp:/);
  });
  it("reads an int against its min and max", () => {
    const table = { window: { kind: "int", min: 10, max: 2000, description: "w" } } as const;
    expect(flagReader(table, { window: "50" }).int("window", 200)).toBe(50);
    expect(() => flagReader(table, { window: "5" }).int("window", 200)).toThrow(
      /^--window must be at least 10, got "5"$/,
    );
    expect(() => flagReader(table, { window: "2001" }).int("window", 200)).toThrow(/up to 2000/);
  });
});

describe("an unknown flag", () => {
  it("is named, with the closest flag of the command when one is near", async () => {
    const { parseErrorText } = await import("../../src/cli/args.js");
    const cmd = {
      name: "x",
      summary: "",
      usage: "",
      flags: { rounds: { kind: "int" }, warmup: { kind: "int" } },
    };
    const msg = (given: string) =>
      parseErrorText(
        cmd as never,
        `Unknown option '--${given}'. To specify a positional argument starting with a '-', place it at the end`,
      );
    expect(msg("round")).toBe("unknown flag --round (did you mean --rounds?)");
    expect(msg("bogus")).toBe("unknown flag --bogus");
    expect(parseErrorText(cmd as never, "Option '--rounds <value>' argument missing\nmore")).toBe(
      "Option '--rounds <value>' argument missing",
    );
  });
});
