/**
 * What the README states as fact is what the tool does: the verdicts' exit codes, the default thresholds, and
 * the output of the sample `compare` it shows (run here on the same fixtures; no model is loaded).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import { VERDICT_EXIT } from "../../src/gate/verdict-exit.js";
import { ROOT, runCli } from "../support/cli.js";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");

/** The lines of the fenced block that follows `$ COMMAND` in the README, the command itself left out. */
function sampleAfter(command: string): { args: string[]; lines: string[] } {
  const at = readme.indexOf(`$ ${command}`);
  expect(at, `the README shows \`$ ${command}\``).toBeGreaterThan(-1);
  const end = readme.indexOf("```", at);
  const lines = readme.slice(at, end).split("\n").slice(1);
  return {
    args: command.split(" ").slice(1),
    lines: lines.filter((l) => l.trim() !== "" && l.trim() !== "..."),
  };
}

describe("the README's facts", () => {
  it("gives each verdict the exit code the gate returns", () => {
    const m = /The exit code is the verdict: ((?:\d+ [A-Z]+,? ?)+)/.exec(readme);
    expect(m, "the README states the verdicts' exit codes").not.toBeNull();
    const stated = Object.fromEntries(
      [...(m?.[1] ?? "").matchAll(/(\d+) ([A-Z]+)/g)].map((x) => [x[2], Number(x[1])]),
    );
    expect(stated).toEqual(VERDICT_EXIT);
  });

  it("states the default thresholds the configuration has", () => {
    const t = defaultGateConfig().thresholds;
    expect(readme).toContain(
      `a drop of at least ${Math.round(t.generation * 100)} % (generation) or\n${Math.round(t.embedding * 100)} % (embedding)`,
    );
  });

  it("shows what `compare` prints on the fixtures", () => {
    const sample = sampleAfter(
      "perf-baseline compare test/fixtures/gate/generation-a.json test/fixtures/gate/generation-b.json",
    );
    const run = runCli(sample.args, { timeoutMs: 60_000 });
    expect(run.status).toBe(0);
    const printed = run.stdout.split("\n").map((l) => l.trimEnd());
    for (const line of sample.lines) expect(printed, `README line: ${line}`).toContain(line.trimEnd());
  });
});
