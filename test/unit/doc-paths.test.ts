/**
 * Every repository path that README.md, docs/*.md and notes/*.md name exists in the repository: paths written
 * out (`src/...`, `bench/...`, `test/...`, `docs/...`, `notes/...`, `tools/...`, `schema/...`, `bin/...`,
 * `.ci/...`, `.github/...`, `Makefile`, `package.json`, `perf-baseline.config.json`) and the targets of
 * relative Markdown links (and the heading a link's #anchor names). A file that moves or goes away takes its
 * mentions with it, or this test says which document still names it.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/cli.js";

/** The documents checked, by repository path. */
const DOCUMENTS: readonly string[] = [
  "README.md",
  ...["docs", "notes"].flatMap((dir) =>
    readdirSync(join(ROOT, dir))
      .filter((f) => f.endsWith(".md"))
      .sort()
      .map((f) => `${dir}/${f}`),
  ),
];

/**
 * Paths the documents name that are not files of this repository, each with the reason. Keep this short:
 * a path of this repository that is gone is to be fixed in the document, not listed here.
 */
const NOT_OURS: ReadonlyMap<string, string> = new Map([
  ["tools/server/server-http.cpp", "llama.cpp's source file, named by notes/openai-performance.md"],
  [
    "src/llama-model.cpp",
    "llama.cpp's source file, as its assert messages name it (src/execute/engine-process/supervisor.ts)",
  ],
]);

/** A path written out: one of the repository's top-level folders or files, not inside a longer path or URL. */
const WRITTEN_OUT =
  /(?<![\w./@~$<>:-])(?:(?:src|bench|test|docs|notes|tools|schema|bin|\.ci|\.github)\/[^\s`'"()[\],;|#]*|Makefile|package\.json|perf-baseline\.config\.json)/g;

/** A placeholder rather than a path: `docs/baseline-<mode>.json`, `docs/baseline-*.json`, `src/...`. */
function isPlaceholder(path: string): boolean {
  return /[<>*{}$]|\.\.\./.test(path);
}

/**
 * The repository paths a document names, relative to the repository root: written-out paths, and the
 * targets of relative links (resolved from the document's folder; anchors dropped).
 */
function pathsNamed(document: string, text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(WRITTEN_OUT)) {
    if (!isPlaceholder(m[0])) found.add(m[0].replace(/[.:!?]+$/, "").replace(/:\d+$/, ""));
  }
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = (m[1] as string).split("#")[0] as string;
    if (target === "" || /^[a-z][a-z+.-]*:/i.test(target) || isPlaceholder(target)) continue;
    found.add(relative(ROOT, normalize(join(ROOT, dirname(document), target))) || ".");
  }
  return [...found].sort();
}

/** The paths a document names that the repository does not have (placeholders and NOT_OURS aside). */
function missingIn(document: string): string[] {
  const text = readFileSync(join(ROOT, document), "utf8");
  return pathsNamed(document, text).filter((p) => !NOT_OURS.has(p) && !existsSync(join(ROOT, p)));
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

/** The links of a document to a heading of a Markdown page (its own or another) whose anchor no heading has. */
function brokenAnchors(document: string): string[] {
  const text = readFileSync(join(ROOT, document), "utf8");
  const broken: string[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]*)#([^)\s]+)\)/g)) {
    const target =
      m[1] === "" ? document : relative(ROOT, normalize(join(ROOT, dirname(document), m[1] as string)));
    if (!target.endsWith(".md") || !existsSync(join(ROOT, target))) continue;
    const headings = readFileSync(join(ROOT, target), "utf8").match(/^#+ .*$/gm) ?? [];
    if (!headings.some((h) => slug(h.replace(/^#+ /, "")) === m[2])) broken.push(`${target}#${m[2]}`);
  }
  return broken;
}

describe("the repository paths the documents name", () => {
  it("finds paths at all (the scan works)", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const named = pathsNamed("README.md", readme);
    expect(named).toContain("docs/cli.md");
    expect(named).toContain("test/support/fake-engine.ts");
    expect(pathsNamed("notes/x.md", "[a](../bench/gate-accuracy.ts) and `src/...`")).toEqual([
      "bench/gate-accuracy.ts",
    ]);
    expect(pathsNamed("README.md", "http://h/docs/x.md ~/.cache/src/y `docs/baseline-<mode>.json`")).toEqual(
      [],
    );
  });

  for (const document of DOCUMENTS) {
    it(`${document}: every path it names exists`, () => {
      expect(missingIn(document), `${document} names paths the repository does not have`).toEqual([]);
    });
  }

  for (const document of DOCUMENTS) {
    it(`${document}: every heading it links to exists`, () => {
      expect(brokenAnchors(document), `${document} links to headings that do not exist`).toEqual([]);
    });
  }

  it("lists as not ours only paths that are not ours", () => {
    expect([...NOT_OURS.keys()].filter((p) => existsSync(join(ROOT, p)))).toEqual([]);
  });
});

/** The source files whose comments are checked: every TypeScript and shell file of src/, bench/, tools/, test/. */
function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mjs|sh)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .filter((p) => !p.startsWith("test/fixtures/"))
    .sort();
}

/** The comment lines of a source file (lines that start with //, /*, * or #), joined. */
function commentsOf(path: string): string {
  return readFileSync(join(ROOT, path), "utf8")
    .split("\n")
    .filter((line) => /^\s*(\/\/|\/\*|\*|#)/.test(line))
    .join("\n");
}

describe("the repository paths the source comments name", () => {
  const files = ["src", "bench", "tools", "test"].flatMap(sourceFiles);

  it("finds comments that name paths (the scan works)", () => {
    expect(files).toContain("src/execute/executor.ts");
    expect(files.flatMap((f) => pathsNamed(f, commentsOf(f))).length).toBeGreaterThan(20);
  });

  it("every path a comment names exists", () => {
    const missing = files.flatMap((f) =>
      pathsNamed(f, commentsOf(f))
        .filter((p) => !NOT_OURS.has(p) && !existsSync(join(ROOT, p)))
        .map((p) => `${f}: ${p}`),
    );
    expect(missing, "comments name paths the repository does not have").toEqual([]);
  });
});
