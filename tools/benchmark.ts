/**
 * The specification's benchmark script, over the same code as `perf-baseline bench`:
 *   npx tsx tools/benchmark.ts --mode generation --rounds 30 --max-new-tokens 64
 *   npx tsx tools/benchmark.ts --mode embedding --rounds 30
 * Prints one JSON result on stdout.
 */
import { setBenchInvocationPrefix } from "../src/cli/commands/bench.js";
import { runAndExit } from "../src/cli/main.js";

setBenchInvocationPrefix(["npx", "tsx", "tools/benchmark.ts"]);
runAndExit(process.argv.slice(2), "bench");
