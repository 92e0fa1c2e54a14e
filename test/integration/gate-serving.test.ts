/**
 * The gate on a serving baseline (`bench --engine openai`): with no --candidate it runs the candidate itself
 * against the server, with the baseline's load, so the verdict is a comparison, not INCOMPARABLE. Real
 * loopback server (`perf-baseline serve` on 127.0.0.1), few requests and tokens.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseResult, serializeResult } from "../../src/results/io.js";
import { EXIT } from "../../src/util/errors.js";
import { runCliAsync, type ServeProcess, startServeProcess } from "../support/processes.js";

let serve: ServeProcess;
const dir = mkdtempSync(join(tmpdir(), "perf-baseline-gate-serving-"));
const SECRET = "sk-test-gate-DO-NOT-LEAK-0a1b2c3d";
const env = { OPENAI_API_KEY: SECRET };

beforeAll(async () => {
  serve = await startServeProcess();
  expect(serve.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
});
afterAll(async () => {
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Captures a serving baseline with `bench --engine openai` into `path`. */
async function captureBaseline(path: string, args: string[]): Promise<void> {
  const run = await runCliAsync(
    ["bench", "--engine", "openai", "--base-url", serve.baseUrl, "--warmup", "1", "-o", path, ...args],
    { env, timeoutMs: 100_000 },
  );
  expect(run.stderr).not.toMatch(/internal error/);
  expect(run.status).toBe(EXIT.ok);
}

interface GateReport {
  verdict: string;
  exit_code: number;
  comparability: { comparable: boolean };
}

/**
 * Runs `gate --baseline path ARGS` (no --candidate) at most twice: the machine is shared, so one honest
 * A/A gate may come out a REGRESSION by noise; INCOMPARABLE (the bug this guards) never may.
 */
async function gateUntilAccepted(path: string, args: string[]): Promise<GateReport> {
  let report: GateReport | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    const reportPath = join(dir, `report-${attempt}-${Date.now()}.json`);
    const run = await runCliAsync(["gate", "--baseline", path, "--report-json", reportPath, ...args], {
      env,
      timeoutMs: 110_000,
    });
    expect(run.stderr).not.toMatch(/internal error/);
    for (const text of [run.stdout, run.stderr, readFileSync(reportPath, "utf8")])
      expect(text).not.toContain(SECRET);
    expect(run.stdout).not.toMatch(/^INCOMPARABLE/m);
    expect(run.status).not.toBe(EXIT.incomparable);
    report = JSON.parse(readFileSync(reportPath, "utf8")) as GateReport;
    expect(report.comparability.comparable).toBe(true);
    expect(run.status).toBe(report.exit_code);
    if (report.verdict !== "REGRESSION") break;
  }
  return report as GateReport;
}

describe("gate on a serving baseline", () => {
  it("generation, --base-url given: the candidate runs on the openai engine and the verdict is PASS or INCONCLUSIVE", async () => {
    const path = join(dir, "serving-generation.json");
    await captureBaseline(path, ["--mode", "generation", "--rounds", "6", "--max-new-tokens", "8"]);
    const report = await gateUntilAccepted(path, ["--base-url", serve.baseUrl]);
    expect(["PASS", "INCONCLUSIVE"]).toContain(report.verdict);
    expect([EXIT.ok, EXIT.inconclusive]).toContain(report.exit_code);
  });

  it("embedding, no --base-url: the baseline's recorded base URL and batch size are used", async () => {
    const path = join(dir, "serving-embedding.json");
    await captureBaseline(path, ["--mode", "embedding", "--rounds", "6", "--batch-size", "2"]);
    // with a key in the environment, the recorded URL gets it only when the user confirms it
    const refused = await runCliAsync(["gate", "--baseline", path, "--mode", "embedding"], { env });
    expect(refused.status).toBe(EXIT.usage);
    expect(refused.stderr).toMatch(/--trust-recorded-base-url/);
    expect(refused.stderr).not.toContain(SECRET);
    const report = await gateUntilAccepted(path, ["--mode", "embedding", "--trust-recorded-base-url"]);
    expect(["PASS", "INCONCLUSIVE"]).toContain(report.verdict);
    expect([EXIT.ok, EXIT.inconclusive]).toContain(report.exit_code);
  });

  it("no base URL to be had: a one-line usage error naming the fix, before anything runs", async () => {
    const source = parseResult(JSON.parse(readFileSync(join(dir, "serving-generation.json"), "utf8")), "x");
    delete source.engine.details.base_url;
    const path = join(dir, "serving-no-url.json");
    writeFileSync(path, serializeResult(source));
    const run = await runCliAsync(["gate", "--baseline", path], { env, timeoutMs: 30_000 });
    expect(run.stdout).toBe("");
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      "perf-baseline: the baseline is a serving result: pass --base-url URL or --candidate FILE",
    );
    expect(run.status).toBe(EXIT.usage);
  });
});
