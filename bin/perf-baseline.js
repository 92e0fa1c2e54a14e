#!/usr/bin/env node
// The perf-baseline CLI. An installed package (npm pack, a git URL, npm install -g) runs the compiled
// JavaScript in dist/ (built by `npm run build` before packing: nothing is compiled at run time). A clone
// (src/ beside this folder) runs the TypeScript sources through tsx, so that no stale build is ever run.
// Ctrl-C before the CLI has loaded exits with 130; the CLI then installs its own handler.
import { existsSync } from "node:fs";

process.on("SIGINT", () => {
  process.stderr.write("perf-baseline: interrupted\n");
  process.exit(130);
});
const fromSources = existsSync(new URL("../src/cli/main.ts", import.meta.url));
let main;
if (fromSources) {
  const { register } = await import("tsx/esm/api");
  register();
  main = await import("../src/cli/main.ts");
} else {
  main = await import("../dist/cli/main.js");
}
main.runAndExit(process.argv.slice(2));
