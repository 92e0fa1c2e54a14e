/**
 * A host change nobody notices: two hosts whose CPU model names read the same ("AMD EPYC") but whose CPUs
 * differ (family 23 against 25) matched on the hardware fingerprint, and the gate compared their wall
 * times. The CPU's identity as the OS sees it (src/environment/cpu.ts) now decides wall-time comparability;
 * microcode and cache size are reported only; a result recorded before the identity keeps its verdicts.
 */
import { describe, expect, it, vi } from "vitest";
import { defaultGateConfig } from "../../src/config/gate-config.js";
import { captureEnvironment } from "../../src/environment/capture.js";
import { type CpuIdentity, flagsHash, parseCpuInfo } from "../../src/environment/cpu.js";
import { CPU_NOT_RECORDED, checkComparability } from "../../src/gate/comparability.js";
import { countDifferences } from "../../src/gate/instructions.js";
import { runGate } from "../../src/gate/verdict.js";
import { parseResult } from "../../src/results/io.js";
import type { BenchmarkResult } from "../../src/results/schema.js";
import { clone, fixture } from "../support/gate-fixtures.js";

const EPYC_ROME = `processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 23
model\t\t: 49
model name\t: AMD EPYC
stepping\t: 0
microcode\t: 0x830107a
cache size\t: 512 KB
flags\t\t: fpu vme sse2 avx2 fma

processor\t: 1
vendor_id\t: AuthenticAMD
`;

function withCpu(r: BenchmarkResult, cpu: Partial<CpuIdentity> | null): BenchmarkResult {
  const c = clone(r);
  c.environment.cpu = cpu === null ? null : { ...(parseCpuInfo(EPYC_ROME) as CpuIdentity), ...cpu };
  return c;
}

describe("the CPU's identity", () => {
  it("is read from /proc/cpuinfo: vendor, family, model, stepping, a hash of the sorted flags", () => {
    const id = parseCpuInfo(EPYC_ROME);
    expect(id).toEqual({
      vendor: "AuthenticAMD",
      family: "23",
      model: "49",
      stepping: "0",
      flags_sha256: flagsHash("avx2 fma fpu sse2 vme"),
      microcode: "0x830107a",
      cache_size: "512 KB",
    });
    expect(flagsHash("b a")).toBe(flagsHash("a  b"));
    expect(parseCpuInfo("nothing here")).toBeNull();
  });

  it("is captured with the environment and read back by the schema", () => {
    const env = captureEnvironment();
    if (process.platform === "linux") expect(env.cpu?.family ?? env.cpu?.vendor).toBeTruthy();
    const r = fixture("generation-a");
    const again = parseResult({ ...r, environment: env }, "result");
    expect(again.environment.cpu).toEqual(env.cpu);
  });
});

describe("comparability across CPUs", () => {
  const genA = fixture("generation-a");
  const genB = fixture("generation-b");

  it("another family or model behind the same fingerprint is INCOMPARABLE, naming the fields", async () => {
    const c = checkComparability(withCpu(genA, {}), withCpu(genB, { family: "25", model: "1" }));
    expect(c.comparable).toBe(false);
    expect(c.blocking.map((d) => d.field)).toEqual(["environment.cpu.family", "environment.cpu.model"]);
    const again = vi.fn(async () => genB);
    const report = await runGate({
      baseline: withCpu(genA, {}),
      candidate: withCpu(genB, { family: "25", model: "1" }),
      baselineSource: "b.json",
      candidateSource: "c.json",
      captureAgain: again,
      config: defaultGateConfig(),
    });
    expect(report.report.verdict).toBe("INCOMPARABLE");
    expect(report.report.reasons.join("\n")).toMatch(/environment\.cpu\.family: 23 \(baseline\) vs 25/);
    expect(again).not.toHaveBeenCalled();
  });

  it("other ISA flags or stepping are INCOMPARABLE too; microcode and cache size are reported only", () => {
    const flags = checkComparability(withCpu(genA, {}), withCpu(genB, { flags_sha256: "f".repeat(64) }));
    expect(flags.blocking.map((d) => d.field)).toEqual(["environment.cpu.flags_sha256"]);
    const stepping = checkComparability(withCpu(genA, {}), withCpu(genB, { stepping: "1" }));
    expect(stepping.blocking.map((d) => d.field)).toEqual(["environment.cpu.stepping"]);
    const micro = checkComparability(
      withCpu(genA, {}),
      withCpu(genB, { microcode: "0x830107b", cache_size: "1024 KB" }),
    );
    expect(micro.comparable).toBe(true);
    expect(micro.informational.map((d) => d.field)).toEqual(
      expect.arrayContaining(["environment.cpu.cache_size", "environment.cpu.microcode"]),
    );
  });

  it("a baseline recorded before the identity keeps its verdict: not compared, reported", () => {
    const old = clone(genA);
    delete old.environment.cpu;
    const c = checkComparability(old, withCpu(genB, {}));
    expect(c.comparable).toBe(true);
    const note = c.informational.find((d) => d.field === "environment.cpu");
    expect(note?.baseline).toBe(CPU_NOT_RECORDED);
    expect(
      checkComparability(old, clone(genB)).informational.some((d) => d.field === "environment.cpu"),
    ).toBe(false);
  });

  it("instruction counts stay comparable across CPUs (their own rule names no CPU field)", () => {
    const diffs = countDifferences(withCpu(genA, {}), withCpu(genA, { family: "25", model: "1" }));
    expect(diffs).toEqual([]);
  });
});
