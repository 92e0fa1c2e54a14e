import { engineNames } from "../engines/registry.js";
import { EXIT, PerfBaselineError, UsageError } from "../util/errors.js";
import { type Command, commandHelp, parseCommandArgs } from "./args.js";
import { installInterruptHandler } from "./interrupt.js";

/**
 * The command registry: loaded on demand, so a command that runs no model never loads the native addon. Each
 * command's summary is its own (the `summary` of its file); the top help loads them all (none loads native
 * code at import).
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  bench: async () => (await import("./commands/bench.js")).benchCommand,
  model: async () => (await import("./commands/model.js")).modelCommand,
  serve: async () => (await import("./commands/serve.js")).serveCommand,
  baseline: async () => (await import("./commands/baseline.js")).baselineCommand,
  gate: async () => (await import("./commands/gate.js")).gateCommand,
  ab: async () => (await import("./commands/ab.js")).abCommand,
  compare: async () => (await import("./commands/compare.js")).compareCommand,
  "check-release": async () => (await import("./commands/check-release.js")).checkReleaseCommand,
  history: async () => (await import("./commands/history.js")).historyCommand,
  report: async () => (await import("./commands/report.js")).reportCommand,
  merge: async () => (await import("./commands/merge.js")).mergeCommand,
};

/** The registry's command names. */
export function commandNames(): string[] {
  return Object.keys(COMMANDS);
}

/**
 * Loads a command by name.
 * @throws UsageError for an unknown name.
 */
export async function loadCommand(name: string): Promise<Command> {
  const load = COMMANDS[name];
  if (!load) throw new UsageError(`unknown command "${name}" (commands: ${commandNames().join(", ")})`);
  return load();
}

/** What the tool is, in one line (the top help's first line, docs/cli.md's introduction). */
export const TOOL_SUMMARY =
  "deterministic performance baselines and a regression gate for LLM generation and embedding";

async function topHelp(): Promise<string> {
  const commands = await Promise.all(commandNames().map((n) => loadCommand(n)));
  const width = Math.max(...commands.map((c) => c.name.length)) + 4;
  const rows = commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`);
  return `perf-baseline: ${TOOL_SUMMARY}\n\nUsage: perf-baseline <command> [options]\n\nCommands:\n${rows.join("\n")}\n\nRun "perf-baseline <command> --help" for a command's options.\n`;
}

let stdoutWatched = false;

/**
 * A reader that closes stdout early (`| head`) is not an error of this tool: the process ends quietly, as
 * other CLIs do, with the exit code set so far. Installed once per process (main() may run many commands).
 */
function quietOnClosedStdout(): void {
  if (stdoutWatched) return;
  stdoutWatched = true;
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? EXIT.ok);
    throw err;
  });
}

/**
 * Runs the CLI on argv (without node and script) and returns the exit code. The one place typed errors
 * become a one-line message; anything else is a bug and keeps its stack trace.
 */
export async function main(argv: string[], defaultCommand?: string): Promise<number> {
  installInterruptHandler();
  quietOnClosedStdout();
  try {
    let args = argv;
    let name = defaultCommand;
    if (!name) {
      const first = args[0];
      if (first === undefined || first === "--help" || first === "-h" || first === "help") {
        process.stdout.write(await topHelp());
        return first === undefined ? EXIT.usage : EXIT.ok;
      }
      if (first === "--version" || first === "-v") {
        const { toolVersion } = await import("../util/tool-version.js");
        process.stdout.write(`${toolVersion()}\n`);
        return EXIT.ok;
      }
      name = first;
      args = args.slice(1);
    }
    const cmd = await loadCommand(name);
    if (args.includes("--help") || args.includes("-h")) {
      process.stdout.write(commandHelp(cmd, engineNames()));
      return EXIT.ok;
    }
    const { values, positionals } = parseCommandArgs(cmd, args, cmd.positionals ?? 0);
    return await cmd.run(values, positionals);
  } catch (err) {
    if (err instanceof PerfBaselineError) {
      process.stderr.write(`perf-baseline: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(
      `perf-baseline: internal error (a bug, please report it):\n${(err as Error)?.stack ?? String(err)}\n`,
    );
    return 70;
  }
}

/** Entry point helper: runs main and exits with its code once stdout has drained. */
export function runAndExit(argv: string[], defaultCommand?: string): void {
  main(argv, defaultCommand).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`perf-baseline: ${String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
