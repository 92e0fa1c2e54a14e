import { EXIT, PerfBaselineError, UsageError } from "../util/errors.js";
import { type Command, commandHelp, parseCommandArgs } from "./args.js";
import { installInterruptHandler } from "./interrupt.js";

/** The command registry: loaded on demand, so a command that runs no model never loads the native addon. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  bench: {
    summary: "run a generation or embedding benchmark and print one JSON result",
    load: async () => (await import("./commands/bench.js")).benchCommand,
  },
  model: {
    summary: "write a dummy-model preset (seeded weights, own vocabulary) to a GGUF file",
    load: async () => (await import("./commands/model.js")).modelCommand,
  },
  serve: {
    summary: "serve the llama engine over an OpenAI-compatible API on 127.0.0.1 (for --engine openai)",
    load: async () => (await import("./commands/serve.js")).serveCommand,
  },
  baseline: {
    summary: "capture both baselines (docs/baseline-<mode>.json), atomically",
    load: async () => (await import("./commands/baseline.js")).baselineCommand,
  },
  gate: {
    summary: "gate a candidate against its baseline: PASS, REGRESSION, INCONCLUSIVE, INCOMPARABLE",
    load: async () => (await import("./commands/gate.js")).gateCommand,
  },
  ab: {
    summary:
      "compare two engine specifications in one interleaved run (ABBA blocks): PASS, REGRESSION, INCONCLUSIVE",
    load: async () => (await import("./commands/ab.js")).abCommand,
  },
  compare: {
    summary: "compare two result files with the gate's analysis (loads no model)",
    load: async () => (await import("./commands/compare.js")).compareCommand,
  },
  "check-release": {
    summary: "run both benchmarks, gate them and write the release evidence folder",
    load: async () => (await import("./commands/check-release.js")).checkReleaseCommand,
  },
  history: {
    summary: "keep results over time: import, list, show, trend and change points (SQLite or PostgreSQL)",
    load: async () => (await import("./commands/history.js")).historyCommand,
  },
  report: {
    summary: "write the HTML report (trends, distributions, latency, gate evidence) into a folder",
    load: async () => (await import("./commands/report.js")).reportCommand,
  },
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
  const entry = COMMANDS[name];
  if (!entry) throw new UsageError(`unknown command "${name}" (commands: ${commandNames().join(", ")})`);
  return entry.load();
}

function topHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 4;
  const rows = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}${c.summary}`);
  return `perf-baseline: deterministic performance baselines and a regression gate for LLM generation and embedding\n\nUsage: perf-baseline <command> [options]\n\nCommands:\n${rows.join("\n")}\n\nRun "perf-baseline <command> --help" for a command's options.\n`;
}

/**
 * Runs the CLI on argv (without node and script) and returns the exit code. The one place typed errors
 * become a one-line message; anything else is a bug and keeps its stack trace.
 */
export async function main(argv: string[], defaultCommand?: string): Promise<number> {
  installInterruptHandler();
  try {
    let args = argv;
    let name = defaultCommand;
    if (!name) {
      const first = args[0];
      if (first === undefined || first === "--help" || first === "-h" || first === "help") {
        process.stdout.write(topHelp());
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
      process.stdout.write(commandHelp(cmd));
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
