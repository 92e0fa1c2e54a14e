/**
 * `make lint` refuses what the house forbids: an import against the layers, an import cycle between files, and a
 * function over 80 lines. Each is written into a scratch copy of the lint configuration's world (a temporary
 * folder with the project's .dependency-cruiser.cjs, tsconfig.json and biome.jsonc) and the same tools `make
 * lint` runs must fail on it, naming the rule; the same files without the fault pass.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

/** A scratch project holding `files` (path -> text) and the project's lint configuration. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "pb-lint-"));
  scratch.push(dir);
  for (const f of [".dependency-cruiser.cjs", "tsconfig.json", "biome.jsonc"])
    copyFileSync(join(ROOT, f), join(dir, f));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function depcruise(dir: string) {
  const bin = join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");
  return spawnSync(
    process.execPath,
    [bin, "src", "--config", ".dependency-cruiser.cjs", "--output-type", "err"],
    {
      cwd: dir,
      encoding: "utf8",
      timeout: 60_000,
    },
  );
}

function biomeLint(dir: string) {
  const bin = join(ROOT, "node_modules", "@biomejs", "biome", "bin", "biome");
  return spawnSync(process.execPath, [bin, "lint", "--vcs-enabled=false", "src"], {
    cwd: dir,
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("lint enforces the house's rules", () => {
  it("an arrow against the layers fails (gate/ importing report/), the same arrow reversed passes", () => {
    const against = depcruise(
      project({
        "src/report/format.ts": "export const pct = (x: number) => x * 100;\n",
        "src/gate/verdict.ts": 'import { pct } from "../report/format.js";\nexport const r = pct(0.1);\n',
      }),
    );
    expect(against.status).not.toBe(0);
    expect(against.stdout + against.stderr).toMatch(
      /layer-gate: src\/gate\/verdict\.ts → src\/report\/format\.ts/,
    );
    const along = depcruise(
      project({
        "src/gate/verdict.ts": "export const r = 0.1;\n",
        "src/report/format.ts": 'import { r } from "../gate/verdict.js";\nexport const s = r;\n',
      }),
    );
    expect(along.stdout + along.stderr).not.toMatch(/error/);
    expect(along.status).toBe(0);
  });

  it("an import cycle between two files of one folder fails, type-only imports included", () => {
    const r = depcruise(
      project({
        "src/gate/a.ts": 'import type { B } from "./b.js";\nexport interface A { b?: B }\n',
        "src/gate/b.ts": 'import type { A } from "./a.js";\nexport interface B { a?: A }\n',
      }),
    );
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/no-circular/);
  });

  it("a function over 80 lines fails, one of 80 passes", () => {
    const fn = (lines: number) =>
      `export function f(x: number): number {\n${"  x += 1;\n".repeat(lines - 3)}  return x;\n}\n`;
    const long = biomeLint(project({ "src/util/long.ts": fn(81) }));
    expect(long.status).not.toBe(0);
    expect(long.stdout + long.stderr).toMatch(/noExcessiveLinesPerFunction/);
    const ok = biomeLint(project({ "src/util/long.ts": fn(80) }));
    expect(ok.stdout + ok.stderr).not.toMatch(/noExcessiveLinesPerFunction/);
    expect(ok.status).toBe(0);
  });
});
