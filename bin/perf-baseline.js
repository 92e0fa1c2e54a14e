#!/usr/bin/env node
// The perf-baseline CLI: runs the TypeScript sources through tsx (no build step to forget).
// Ctrl-C before the CLI has loaded exits quietly with 130; the CLI then installs its own handler.
process.on("SIGINT", () => {
  process.stderr.write("perf-baseline: interrupted\n");
  process.exit(130);
});
const { register } = await import("tsx/esm/api");
register();
const { runAndExit } = await import("../src/cli/main.ts");
runAndExit(process.argv.slice(2));
