/**
 * Every flag the README names exists on the command it names it for: the help and the parser are generated
 * from the same definitions, and this keeps the documentation honest too.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commandHelp } from "../../src/cli/args.js";
import { commandNames, loadCommand } from "../../src/cli/main.js";
import { ROOT } from "../support/cli.js";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");

/** [command, flag] for every `perf-baseline CMD ... --flag` and `tools/benchmark.ts ... --flag` in the README. */
function flagsNamed(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const names = new Set(commandNames());
  // commands and their flags, on one line or continued with a trailing backslash
  const text = readme.replace(/\\\n\s*/g, " ");
  for (const line of text.split("\n")) {
    for (const m of line.matchAll(
      /(?:perf-baseline|bin\/perf-baseline\.js|tools\/benchmark\.ts)\s+([a-z-]+)?([^`|#]*)/g,
    )) {
      const cmd = m[0].includes("tools/benchmark.ts") ? "bench" : (m[1] ?? "");
      if (!names.has(cmd)) continue;
      for (const f of (m[2] ?? "").matchAll(/--([a-z][a-z-]*)/g)) out.push([cmd, f[1] as string]);
    }
  }
  // the bench options table
  const table = readme.slice(
    readme.indexOf("### `perf-baseline bench` options"),
    readme.indexOf("### Engines"),
  );
  for (const m of table.matchAll(/^\| `(?:-\w, )?--([a-z-]+)/gm)) out.push(["bench", m[1] as string]);
  return out;
}

describe("the README's flags", () => {
  const named = flagsNamed();

  it("names flags at all (the scan works)", () => {
    expect(named.length).toBeGreaterThan(30);
    expect(named).toContainEqual(["bench", "max-new-tokens"]);
  });

  for (const [cmd, flag] of [...new Map(named.map((x) => [x.join(" --"), x])).values()]) {
    it(`${cmd} --${flag}`, async () => {
      const c = await loadCommand(cmd);
      expect(Object.keys(c.flags).concat("help"), `perf-baseline ${cmd} has no --${flag}`).toContain(flag);
      expect(commandHelp(c)).toContain(`--${flag}`);
    });
  }
});
