/**
 * The supervised engine process: crafted GGUF files that pass the validator but abort inside llama.cpp give
 * one line and exit 6 or 7 (never "Aborted", never a core dump); Ctrl-C at start-up exits 130 quietly, and
 * after measured rounds gives a partial result. Each run is a real CLI process on the real engine.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { GgufValue } from "../../src/models/gguf-writer.js";
import { parseResult } from "../../src/results/io.js";
import { EXIT } from "../../src/util/errors.js";
import { ROOT, runCli } from "../support/cli.js";
import { writeMicroModel } from "../support/micro-model.js";

const dir = mkdtempSync(join(tmpdir(), "pb-engine-process-"));

function crafted(name: string, edit: (key: string, value: GgufValue) => GgufValue): string {
  const path = join(dir, `${name}.gguf`);
  writeMicroModel(path, { edit });
  return path;
}

const CRAFTED: Array<[string, (key: string, value: GgufValue) => GgufValue]> = [
  [
    "a vocabulary in which token 401 repeats token 400",
    (k, v) => {
      if (k !== "tokenizer.ggml.tokens" || v.type !== 9) return v;
      const tokens = [...(v.value as string[])];
      tokens[401] = tokens[400] as string;
      return { ...v, value: tokens } as GgufValue;
    },
  ],
  [
    "block_count 1000 with tensors for 2 layers",
    (k, v) => (k === "llama.block_count" ? ({ ...v, value: 1000 } as GgufValue) : v),
  ],
  [
    "head_count_kv 0",
    (k, v) => (k === "llama.attention.head_count_kv" ? ({ ...v, value: 0 } as GgufValue) : v),
  ],
];

describe.each(["node-llama-cpp", "llama-cpp"])(
  "a native abort in the %s engine becomes one line",
  (engine) => {
    for (const [what, edit] of CRAFTED) {
      it(what, () => {
        const path = crafted(`${engine}-${what.replace(/\W+/g, "-")}`, edit);
        const cwd = mkdtempSync(join(dir, "cwd-"));
        const run = runCli(
          [
            "bench",
            "--engine",
            engine,
            "--model",
            path,
            "--rounds",
            "1",
            "--warmup",
            "0",
            "--max-new-tokens",
            "2",
          ],
          {
            cwd,
          },
        );
        expect(run.signal).toBeNull();
        expect(run.stdout).toBe("");
        const lines = run.stderr.trim().split("\n");
        expect(lines, run.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(/^perf-baseline: /);
        expect(run.stderr).not.toMatch(/Aborted|core dumped|\n\s+at /);
        expect([EXIT.badModel, EXIT.runFailed]).toContain(run.status);
        expect(readdirSync(cwd).filter((f) => f.startsWith("core"))).toEqual([]);
      });
    }
  },
);

/** Starts `perf-baseline bench`, sends SIGINT when `when` says so, and collects what it printed. */
function interruptBench(
  args: string[],
  when: (stderr: string, elapsedMs: number) => boolean,
): Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "bin", "perf-baseline.js"), "bench", ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: "true", PERF_BASELINE_PROGRESS: "lines" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let sent = false;
    const t0 = Date.now();
    const check = () => {
      if (!sent && when(stderr, Date.now() - t0)) {
        sent = true;
        child.kill("SIGINT");
      }
    };
    const timer = setInterval(check, 50);
    const limit = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      check();
    });
    child.on("error", reject);
    child.on("exit", (status, signal) => {
      clearInterval(timer);
      clearTimeout(limit);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

describe("Ctrl-C", () => {
  it("1.5 s after start, before any measured round: exit 130, no stack trace, no result", async () => {
    // 10000 warmup rounds: whatever the machine's speed, no measured round has run when SIGINT arrives, so
    // there is no partial result to print (a fast host ran two measured rounds of a 0-warmup run in 1.5 s).
    const r = await interruptBench(
      ["--rounds", "50", "--warmup", "10000", "--max-new-tokens", "8"],
      (_s, ms) => ms >= 1500,
    );
    // On a busy machine Node may not have run the entry point's first line after 1.5 s: the default SIGINT
    // disposition then ends it, which a shell reports as 130 too. Once JavaScript runs, it is exit code 130.
    if (r.signal !== null) expect(r.signal).toBe("SIGINT");
    else expect(r.status).toBe(EXIT.interrupted);
    expect(r.stderr).not.toMatch(/\n\s+at |internal error|Error:/);
    expect(r.stdout).toBe("");
  });

  it("after two measured rounds: exit 130 and the partial result, complete: false", async () => {
    const r = await interruptBench(
      ["--rounds", "10000", "--warmup", "1", "--max-new-tokens", "4"],
      (stderr) => /round 2\/10000/.test(stderr),
    );
    expect(r.status).toBe(EXIT.interrupted);
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    const result = parseResult(JSON.parse(r.stdout), "stdout");
    expect(result.complete).toBe(false);
    expect(result.samples.length).toBeGreaterThanOrEqual(2);
    expect(result.samples.length).toBeLessThan(10000);
    expect(result.warnings).toContainEqual(
      expect.objectContaining({
        code: "partial_result",
        rounds_planned: 10000,
        text: expect.stringMatching(/interrupted: \d+ of 10000 measured rounds ran/),
      }),
    );
  });
});
