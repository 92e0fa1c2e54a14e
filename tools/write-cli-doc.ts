/**
 * Writes docs/cli.md, the command-line reference, from what the tool itself declares: each command's summary,
 * usage and flag table (src/cli/commands/*.ts, the engines' flags from src/engines/registry.ts) and the exit
 * codes of src/util/errors.ts. `npx tsx tools/write-cli-doc.ts` rewrites it; test/unit/cli-doc.test.ts fails
 * when the committed page differs from what this writes.
 */
import { pathToFileURL } from "node:url";
import { type Command, flagMeaning, flagValueName } from "../src/cli/args.js";
import { commandNames, loadCommand, TOOL_SUMMARY } from "../src/cli/main.js";
import { engineNames, getLocalEngine } from "../src/engines/registry.js";
import { atomicWriteText } from "../src/util/atomic-file.js";
import { EXIT } from "../src/util/errors.js";
import type { FlagSpec } from "../src/util/flags.js";

/** Where the page is written, from the repository root. */
export const CLI_DOC_PATH = "docs/cli.md";

/** The command that rewrites the page. */
export const CLI_DOC_COMMAND = "npx tsx tools/write-cli-doc.ts";

/** What each exit code means, by its name in EXIT: a new code fails to type-check until it is described here. */
const EXIT_MEANINGS: Record<keyof typeof EXIT, string> = {
  ok: "success (gate: PASS)",
  regression: "gate: REGRESSION",
  usage: "bad flags or arguments",
  inconclusive: "gate: INCONCLUSIVE",
  incomparable: 'gate: INCOMPARABLE (also a stale baseline when `rebaseline.on_stale` is `"incomparable"`)',
  badResultFile:
    "a result or baseline file that is missing or invalid (not JSON, a newer format, another mode, an invalid field): one line naming the file and field",
  badModel:
    "a model file that is missing, not GGUF, truncated or missing metadata, or that llama.cpp rejected or aborted on while loading it",
  runFailed:
    "the engine or server failed during the run (after the model loaded); with `--engine openai`, any failed request unless `--tolerate-failures`",
  output:
    "an output path that cannot be written (or an evidence folder that holds another run), or a history store that cannot be opened or reached",
  interrupted: 'interrupted (Ctrl-C): the partial result is still printed, marked `"complete": false`',
};

const INTRO = `\`\`\`
perf-baseline <command> [options]          # installed (npm link), or: node bin/perf-baseline.js <command> ...
npx tsx tools/benchmark.ts [options]       # the command line of the specification: the same as \`perf-baseline bench\`
\`\`\``;

const AFTER_EXIT_CODES = `\`gate\`, \`compare\`, \`check-release\` and \`ab\` exit with their verdict's code; \`check-release\` with the most
serious of its verdicts (REGRESSION, then INCOMPARABLE, then INCONCLUSIVE, then PASS).

Bad input always gets one line on stderr naming the problem, never a stack trace, never a native abort (GGUF
metadata is validated before llama.cpp sees the file, and llama.cpp runs in a supervised engine process),
never a half-written file (results and models are written to a temporary file and renamed; an evidence folder
is written whole).

\`make\` passes none of these codes through: a recipe that fails makes \`make\` exit 2, whatever the verdict.
\`make check-release\` prints the verdict and its exit code as its last line (\`REGRESSION: exit code 1\`); CI
that acts on the code runs \`perf-baseline check-release\` itself.`;

const ENVIRONMENT = `## Environment variables

| variable | used by |
| --- | --- |
| \`OPENAI_API_KEY\` | \`--engine openai\`: the API key (another variable with \`--api-key-env NAME\`); never written anywhere |
| \`PERF_BASELINE_HISTORY\` | the history store when \`--history\` is not given (a SQLite file or a \`postgres://\` URL) |
| \`PGPASSWORD\` | the PostgreSQL password of a history store |
| \`XDG_CACHE_HOME\` | where dummy models are cached (\`$XDG_CACHE_HOME/perf-baseline/models\`, else \`~/.cache/perf-baseline/models\`) |
| \`XDG_DATA_HOME\` | where the default history store lives (\`$XDG_DATA_HOME/perf-baseline/history.sqlite\`, else \`~/.local/share/...\`) |
| \`GITHUB_STEP_SUMMARY\` | \`check-release\` appends \`report.md\` to this file when it is set |`;

const MAKE_TARGETS = `## Make targets

| target | what it runs |
| --- | --- |
| \`make benchmark\` | installs what is missing (\`npm ci\`), then both modes on the default model: one JSON result per mode on stdout (\`ROUNDS\`, default 30, and \`MAX_NEW_TOKENS\`, default 64) |
| \`make test\` | lint, type-check, unit and integration tests |
| \`make lint\`, \`make typecheck\`, \`make unit\`, \`make integration\` | one part of \`make test\` each |
| \`make baseline\` | \`perf-baseline baseline --rounds $(ROUNDS) --max-new-tokens $(MAX_NEW_TOKENS)\` |
| \`make check-release\` | \`perf-baseline check-release\` (\`EVIDENCE_DIR=DIR\` for \`--evidence-dir\`) |
| \`make schema\` | rewrites \`schema/result.schema.json\` from the zod schema |
| \`make bench-overhead\` | \`bench/harness-overhead.ts\`, the harness against a direct loop |`;

/** A table cell: pipes escaped, text with `<...>` in backticks so that Markdown shows it. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/(^|[\s(])([\w./-]*<[^>\s]+>[\w./-]*)/g, "$1`$2`");
}

/** "all", "local" (every local engine) or the engine names of a flag. */
function enginesCell(spec: FlagSpec): string {
  const engines = spec.engines;
  if (engines === undefined || engines.length === engineNames().length) return "all";
  const local = engineNames().filter((n) => getLocalEngine(n) !== undefined);
  if (engines.length === local.length && local.every((n) => engines.includes(n))) return "local";
  return engines.join(", ");
}

function flagTable(cmd: Command): string {
  const entries = Object.entries(cmd.flags);
  const withEngines = entries.some(([, f]) => f.engines !== undefined);
  const rows = entries.map(([name, f]) => {
    const flag = `${f.short ? `\`-${f.short}\`, ` : ""}\`--${name}${flagValueName(f)}\``;
    const meaning = cell(flagMeaning({ ...f, engines: undefined, default: undefined }));
    const def = f.default === undefined ? "" : cell(String(f.default));
    return withEngines
      ? `| ${flag} | ${enginesCell(f)} | ${meaning} | ${def} |`
      : `| ${flag} | ${meaning} | ${def} |`;
  });
  const head = withEngines
    ? "| flag | engines | meaning | default |\n| --- | --- | --- | --- |"
    : "| flag | meaning | default |\n| --- | --- | --- |";
  return `${head}\n${rows.join("\n")}`;
}

function commandSection(cmd: Command): string {
  return `## \`perf-baseline ${cmd.name}\`\n\n${cmd.summary}\n\n\`\`\`\n${cmd.usage}\n\`\`\`\n\n${flagTable(cmd)}`;
}

function exitCodes(): string {
  const rows = (Object.keys(EXIT) as Array<keyof typeof EXIT>).map(
    (k) => `| ${EXIT[k]} | ${EXIT_MEANINGS[k]} |`,
  );
  return `## Exit codes\n\n| code | meaning |\n| --- | --- |\n${rows.join("\n")}\n\n${AFTER_EXIT_CODES}`;
}

/** The text of docs/cli.md, from the commands' declarations and src/util/errors.ts. */
export async function renderCliDoc(): Promise<string> {
  const commands = await Promise.all(commandNames().map((n) => loadCommand(n)));
  const summaries = commands.map((c) => `| \`${c.name}\` | ${cell(c.summary)} |`);
  const parts = [
    `<!-- Generated by ${CLI_DOC_COMMAND}: do not edit by hand. -->`,
    "# Command-line reference",
    `This page is generated by \`tools/write-cli-doc.ts\` from each command's flag table, the same one \`perf-baseline <command> --help\` prints and the parser and range checks read (run \`${CLI_DOC_COMMAND}\` after changing a flag; \`test/unit/cli-doc.test.ts\` fails when this page is stale). perf-baseline: ${TOOL_SUMMARY}.`,
    INTRO,
    `| command | what it does |\n| --- | --- |\n${summaries.join("\n")}`,
    `Every command takes \`-h, --help\`. Engine flags: "all" is every engine, "local" is ${engineNames()
      .filter((n) => getLocalEngine(n) !== undefined)
      .map((n) => `\`${n}\``)
      .join(
        " and ",
      )}; an engine refuses a flag it does not take. Ranges are checked before anything runs: a bad value is one line on stderr and exit 2.`,
    ...commands.map(commandSection),
    exitCodes(),
    ENVIRONMENT,
    MAKE_TARGETS,
  ];
  return `${parts.join("\n\n")}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  atomicWriteText(CLI_DOC_PATH, await renderCliDoc());
  process.stderr.write(`wrote ${CLI_DOC_PATH}\n`);
}
