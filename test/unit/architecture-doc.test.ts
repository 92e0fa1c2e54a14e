/**
 * docs/architecture.md and the lint configuration (.dependency-cruiser.cjs) name the same layers: every folder
 * of src/ has a row in both, with the same folders it may import.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const { LAYERS } = createRequire(import.meta.url)(join(ROOT, ".dependency-cruiser.cjs")) as {
  LAYERS: Record<string, string[]>;
};

/** The "may import" column of the doc's table, by folder. */
function documentedLayers(): Record<string, string[]> {
  const doc = readFileSync(join(ROOT, "docs", "architecture.md"), "utf8");
  const rows: Record<string, string[]> = {};
  for (const m of doc.matchAll(/^\| `([a-z-]+)\/` \| [^|]+ \| ([^|]+) \|$/gm)) {
    const cell = (m[2] as string).trim();
    rows[m[1] as string] =
      cell === "nothing" ? [] : cell === "any folder" ? ["*"] : cell.split(",").map((s) => s.trim());
  }
  return rows;
}

describe("the layers", () => {
  it("docs/architecture.md gives each folder the arrows the lint configuration allows", () => {
    const doc = documentedLayers();
    const sorted = (r: Record<string, string[]>) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, [...v].sort()]));
    expect(sorted(doc)).toEqual(sorted(LAYERS));
  });

  it("every folder of src/ is a layer", () => {
    const folders = readdirSync(join(ROOT, "src"), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect(folders).toEqual(Object.keys(LAYERS).sort());
  });
});
