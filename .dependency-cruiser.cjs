/**
 * The layers of src/, enforced by `make lint` (dependency-cruiser): each folder of src/ may import only the
 * folders its row names (and itself). The rows are ordered from the ground up, so every arrow runs down:
 * a new arrow against the layers, or an import cycle between files, fails lint. docs/architecture.md draws the
 * same table; test/unit/architecture-doc.test.ts checks that the two agree.
 *
 * To add an arrow, add the folder to the row of the importing folder here and in docs/architecture.md, and say
 * in the commit why that layer needs it.
 */

/** folder of src/ -> the folders of src/ it may import (besides itself). */
const LAYERS = {
  util: [],
  stats: ["util"],
  models: ["util"],
  workload: ["util"],
  environment: ["util"],
  measure: ["util", "stats", "workload"],
  results: ["util", "stats", "models", "workload", "environment", "measure"],
  import: ["util", "stats", "workload", "environment", "measure", "results"],
  instructions: ["util", "stats", "measure", "results"],
  config: ["util", "stats", "workload", "results"],
  engines: ["util", "stats", "models", "workload", "environment", "measure", "results", "config"],
  execute: [
    "util",
    "stats",
    "models",
    "workload",
    "environment",
    "measure",
    "results",
    "instructions",
    "config",
    "engines",
    "import",
  ],
  gate: [
    "util",
    "stats",
    "workload",
    "environment",
    "measure",
    "results",
    "import",
    "instructions",
    "config",
  ],
  serve: ["util", "stats", "models", "workload", "environment", "measure", "results", "engines", "execute"],
  baseline: ["util", "stats", "workload", "results", "config", "gate"],
  history: ["util", "stats", "workload", "environment", "results", "import", "config", "gate", "baseline"],
  report: [
    "util",
    "stats",
    "workload",
    "environment",
    "measure",
    "results",
    "import",
    "instructions",
    "config",
    "gate",
    "baseline",
    "history",
  ],
  cli: ["*"],
};

const folders = Object.keys(LAYERS).filter((f) => f !== "cli");
const alt = (names) => names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");

/** One rule per folder: an import from it into a folder of src/ its row does not name. */
const layerRules = folders.map((folder) => {
  const allowed = [folder, ...LAYERS[folder]];
  const forbidden = Object.keys(LAYERS).filter((f) => !allowed.includes(f));
  return {
    name: `layer-${folder}`,
    comment: `src/${folder}/ may import only ${allowed.map((f) => `${f}/`).join(", ")} (see docs/architecture.md)`,
    severity: "error",
    from: { path: `^src/${folder}/` },
    to: { path: `^src/(${alt(forbidden)})/` },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "no-circular",
      comment: "files of src/ that import each other in a loop (type-only imports count)",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "src-not-tests",
      comment: "src/ never imports test rigs, fixtures or bench scripts",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(test|bench|tools)/" },
    },
    {
      name: "src-files-in-a-layer",
      comment: "every file of src/ lives in a folder of the layer table (a new folder gets a row)",
      severity: "error",
      from: { path: "^src/", pathNot: `^src/(${alt(Object.keys(LAYERS))})/` },
      to: {},
    },
    {
      name: "not-to-unresolvable",
      comment: "an import that does not resolve",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

// the table itself, for the test that holds docs/architecture.md against it (not a configuration field)
Object.defineProperty(module.exports, "LAYERS", { value: LAYERS, enumerable: false });
