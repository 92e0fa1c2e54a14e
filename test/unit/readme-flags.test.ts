/**
 * The documentation names only flags, exit codes and a result format the tool has. Every flag that README.md
 * or a page of docs/ names after `perf-baseline CMD` (or `tools/benchmark.ts`) exists on that command; the
 * flag tables of docs/cli.md list exactly each command's flags; its exit-code table lists exactly the codes
 * of src/util/errors.ts; and every JSON sample that shows a `schema_version` shows the one the tool writes.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Command, commandHelp } from "../../src/cli/args.js";
import { commandNames, loadCommand } from "../../src/cli/main.js";
import { SCHEMA_VERSION } from "../../src/results/schema.js";
import { EXIT } from "../../src/util/errors.js";
import { ROOT } from "../support/cli.js";

/** README.md and every page of docs/, by repository path. */
const DOCS: ReadonlyArray<readonly [string, string]> = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`),
].map((path) => [path, readFileSync(join(ROOT, path), "utf8")] as const);

const CLI_MD = "docs/cli.md";

/** A named flag: where, on which command, which flag. */
interface Named {
  file: string;
  cmd: string;
  flag: string;
}

/**
 * Every `perf-baseline CMD ... --flag` and `tools/benchmark.ts ... --flag` of a document, on one line or
 * continued with a trailing backslash. Quoted strings are left out: `ab --a "--model x.gguf"` names flags of
 * `bench`, not of `ab`.
 */
function flagsInProse(file: string, text: string): Named[] {
  const out: Named[] = [];
  const names = new Set(commandNames());
  const joined = text.replace(/\\\n\s*/g, " ");
  for (const line of joined.split("\n")) {
    for (const m of line.matchAll(
      /(?:perf-baseline|bin\/perf-baseline\.js|tools\/benchmark\.ts)\s+([a-z-]+)?([^`|#]*)/g,
    )) {
      const cmd = m[0].includes("tools/benchmark.ts") ? "bench" : (m[1] ?? "");
      if (!names.has(cmd)) continue;
      const rest = (m[2] ?? "").replace(/"[^"]*"|'[^']*'/g, "");
      for (const f of rest.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g))
        out.push({ file, cmd, flag: f[1] as string });
    }
  }
  return out;
}

/** The flags of each command's table in docs/cli.md (a table under the heading "## `perf-baseline CMD`"). */
function flagTables(text: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  let cmd: string | undefined;
  for (const line of text.split("\n")) {
    const heading = /^## /.test(line) ? /^## `perf-baseline ([a-z-]+)`/.exec(line) : undefined;
    if (heading !== undefined) cmd = heading?.[1];
    const row = cmd === undefined ? null : /^\| (?:`-\w`, )?`--([a-z][a-z-]*)/.exec(line);
    if (cmd !== undefined && row) tables.set(cmd, [...(tables.get(cmd) ?? []), row[1] as string]);
  }
  return tables;
}

/** The codes of the exit-code table of docs/cli.md (the table under "## Exit codes"). */
function exitCodesListed(text: string): number[] {
  const section = text.slice(text.indexOf("## Exit codes"));
  const end = section.indexOf("\n## ", 1);
  const body = end === -1 ? section : section.slice(0, end);
  return [...body.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
}

async function flagsOf(cmd: string): Promise<{ command: Command; flags: string[] }> {
  const command = await loadCommand(cmd);
  return { command, flags: Object.keys(command.flags) };
}

describe("the flags README.md and docs/ name", () => {
  const named = DOCS.flatMap(([file, text]) => flagsInProse(file, text));

  it("names flags at all (the scan works)", () => {
    expect(named.length).toBeGreaterThan(30);
    expect(named).toContainEqual({ file: "README.md", cmd: "bench", flag: "max-new-tokens" });
    expect(named.some((n) => n.file !== "README.md")).toBe(true);
  });

  const unique = [...new Map(named.map((n) => [`${n.file} ${n.cmd} --${n.flag}`, n])).values()];
  for (const { file, cmd, flag } of unique) {
    it(`${file}: ${cmd} --${flag}`, async () => {
      const { command, flags } = await flagsOf(cmd);
      expect(flags.concat("help"), `${file}: perf-baseline ${cmd} has no --${flag}`).toContain(flag);
      expect(commandHelp(command)).toContain(`--${flag}`);
    });
  }
});

describe("docs/cli.md", () => {
  const text = DOCS.find(([file]) => file === CLI_MD)?.[1] ?? "";
  const tables = flagTables(text);

  it("has a flag table for every command", () => {
    expect([...tables.keys()].sort()).toEqual([...commandNames()].sort());
  });

  for (const cmd of commandNames()) {
    it(`lists exactly the flags of ${cmd}, in order`, async () => {
      const { flags } = await flagsOf(cmd);
      expect(tables.get(cmd), `${CLI_MD}: the table of perf-baseline ${cmd} is stale`).toEqual(flags);
    });
  }

  it("lists exactly the exit codes of src/util/errors.ts", () => {
    const codes = [...new Set<number>(Object.values(EXIT))].sort((a, b) => a - b);
    expect(exitCodesListed(text)).toEqual(codes);
  });

  it("is the only page with an exit-code table", () => {
    const others = DOCS.filter(([file, t]) => file !== CLI_MD && /^\| 130 \|/m.test(t)).map(([f]) => f);
    expect(others).toEqual([]);
  });
});

describe("JSON samples", () => {
  const samples = DOCS.flatMap(([file, text]) =>
    [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => ({ file, body: m[1] as string })),
  );

  it("show the schema_version the tool writes", () => {
    const versions = samples.flatMap(({ file, body }) =>
      [...body.matchAll(/"schema_version":\s*(\d+)/g)].map((m) => ({ file, version: Number(m[1]) })),
    );
    expect(versions.length).toBeGreaterThan(0);
    expect(versions.filter((v) => v.version !== SCHEMA_VERSION)).toEqual([]);
  });

  it("are valid JSON", () => {
    const invalid = samples.filter(({ body }) => {
      try {
        JSON.parse(body);
        return false;
      } catch {
        return true;
      }
    });
    expect(invalid.map(({ file, body }) => `${file}: ${body.slice(0, 60)}`)).toEqual([]);
  });
});

describe("the README", () => {
  it("guides in at most 200 lines; the reference lives in docs/", () => {
    expect(readFileSync(join(ROOT, "README.md"), "utf8").trimEnd().split("\n").length).toBeLessThanOrEqual(
      200,
    );
  });
});
