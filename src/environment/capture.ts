import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import { sha256OfJson } from "../util/canonical-json.js";
import { type CpuIdentity, cpuIdentity } from "./cpu.js";

/** A GPU as nvidia-smi reports it. */
export interface GpuInfo {
  name: string;
  memory_mib: number;
}

/** The hardware a result was measured on: what must be equal for two throughput figures to be compared. */
export interface HardwareFingerprint {
  cpu_model: string;
  logical_cores: number;
  memory_gib: number;
  gpu_model: string | null;
  gpu_count: number;
  gpu_memory_mib: number;
  os: string;
  arch: string;
}

/** The environment block of a result. `node` stands where the specification's Python project had `python`. */
export interface Environment {
  node: string;
  platform: string;
  processor: string;
  os_release: string;
  hostname_hash: string;
  hardware: HardwareFingerprint;
  /** sha256 of the canonical JSON of `hardware` */
  hardware_fingerprint: string;
  /**
   * the CPU's identity as the OS sees it (environment/cpu.ts), outside `hardware` so that the fingerprint of
   * results recorded before it stays the same; absent in those results, null where the OS does not tell
   */
  cpu?: CpuIdentity | null;
}

/** The processor name from /proc/cpuinfo or os.cpus(), or "unknown". */
export function processorName(): string {
  try {
    const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
    const m = /^(?:model name|Hardware|Processor|cpu model)\s*:\s*(.+)$/m.exec(cpuinfo);
    if (m?.[1]?.trim()) return m[1].trim();
  } catch {
    // not Linux
  }
  const model = os.cpus()[0]?.model?.trim();
  return model && model !== "" ? model : "unknown";
}

/** GPUs from nvidia-smi when it exists and answers within 5 s; an empty list otherwise. */
export function nvidiaGpus(): GpuInfo[] {
  try {
    const out = execFileSync(
      "nvidia-smi",
      ["--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
      {
        encoding: "utf8",
        timeout: 5000,
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    return out
      .trim()
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((line) => {
        const [name, mem] = line.split(",").map((s) => s.trim());
        return { name: name ?? "unknown", memory_mib: Number(mem) || 0 };
      });
  } catch {
    return [];
  }
}

/** The platform string, shaped like Python's platform.platform(): "Linux-6.1.0-18-amd64-x86_64". */
export function platformString(): string {
  return `${os.type()}-${os.release()}-${os.machine()}`;
}

/**
 * Captures the environment before timing starts. Memory is rounded to whole GiB so that the fingerprint
 * does not change with what the kernel reserves; hostname is hashed (machines are named, people are not).
 */
export function captureEnvironment(): Environment {
  const gpus = nvidiaGpus();
  const hardware: HardwareFingerprint = {
    cpu_model: processorName(),
    logical_cores: os.availableParallelism(),
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    gpu_model: gpus[0]?.name ?? null,
    gpu_count: gpus.length,
    gpu_memory_mib: gpus[0]?.memory_mib ?? 0,
    os: os.platform(),
    arch: os.arch(),
  };
  return {
    node: process.versions.node,
    platform: platformString(),
    processor: hardware.cpu_model,
    os_release: os.release(),
    hostname_hash: createHash("sha256").update(os.hostname()).digest("hex").slice(0, 12),
    hardware,
    hardware_fingerprint: sha256OfJson(hardware),
    cpu: cpuIdentity(),
  };
}
