/**
 * Rewrites test/golden/verdicts.json: the verdicts, reasons, exit codes, figures and digests that compare, gate
 * and the ab analysis give on every fixture pair (test/golden/golden-verdicts.ts says what and how).
 * `npx tsx tools/write-golden-verdicts.ts [--separate-processes]`: the 200 CLI commands run in one batch child
 * per core (seconds), or with --separate-processes each as `node bin/perf-baseline.js ...` of its own (minutes
 * on 2 cores; the same file). Issue 18 moves code but must not change this file: rewrite it only for an
 * intended change of behaviour, and say so in the commit.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { computeGoldenVerdicts, GOLDEN_FILE, ROOT, serializeGolden } from "../test/golden/golden-verdicts.js";

const t0 = performance.now();
const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--separate-processes");
if (unknown.length > 0) throw new Error(`unknown argument ${unknown[0]} (usage: [--separate-processes])`);
const golden = await computeGoldenVerdicts(args.includes("--separate-processes") ? "separate" : "batch");
writeFileSync(join(ROOT, GOLDEN_FILE), serializeGolden(golden));
process.stderr.write(`wrote ${GOLDEN_FILE} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
