/**
 * Arms of the accuracy scripts: named variants of one capture (unchanged code, a known slowdown, more real
 * work, a capture under a CPU burner), and the seeded orders in which they are taken.
 */
import os from "node:os";
import type { GateConfig } from "../../src/config/gate-config.js";
import { type Rng, randomInt } from "../../src/util/prng.js";
import type { Mode } from "../../src/workload/workload.js";
import { cpuBurner } from "./burner.js";
import { type Captured, type CaptureSpec, capture } from "./capture.js";

/** A variant of the capture. */
export interface CaptureArm {
  /** short name (flags, pool files): "A", "S25", "Aburn", "W3" */
  key: string;
  /** label in printed tables */
  name: string;
  /** the test slowdown device's fraction (0: none) */
  slowdown: number;
  /** the extra-work device's fraction (0: none) */
  extraWork: number;
  /** captured while a CPU burner (one busy loop per logical core) runs */
  burn: boolean;
  /** the slowdown hits only this phase of each generation round (the phase slowdown device); absent: all */
  phase?: "prefill" | "decode";
}

function arm(key: string, name: string, s: Partial<CaptureArm> = {}): CaptureArm {
  return { key, name, slowdown: 0, extraWork: 0, burn: false, ...s };
}

/**
 * bench/gate-accuracy.ts's arms, in pool order (a saved pool file holds one list per arm; arms added later
 * come last, so older pool files still load). P25 and D25 slow only prompt processing or only decoding of a
 * generation round by 25 % (issue 22: the gate per metric).
 */
export const GATE_ARMS = [
  arm("A", "A/A (no change)"),
  arm("S15", "15 % slowdown", { slowdown: 0.15 }),
  arm("S25", "25 % slowdown", { slowdown: 0.25 }),
  arm("Aburn", "A under a CPU burner", { burn: true }),
  arm("P25", "25 % slower prompt processing", { slowdown: 0.25, phase: "prefill" }),
  arm("D25", "25 % slower decoding", { slowdown: 0.25, phase: "decode" }),
] as const;

/** bench/instruction-accuracy.ts's arms: unchanged code, and 3 % / 10 % more real work. */
export const WORK_ARMS = [
  arm("A", "unchanged"),
  arm("W3", "3 % more work", { extraWork: 0.03 }),
  arm("W10", "10 % more work", { extraWork: 0.1 }),
] as const;

/** bench/ab-accuracy.ts's arm keys, in the order of its rotations. */
export const AB_ARM_KEYS = ["A1", "A2", "S1", "S2", "Aburn"] as const;
export type AbArmKey = (typeof AB_ARM_KEYS)[number];

/** The slowdowns of bench/ab-accuracy.ts's S arms: 1.5 x the mode's threshold, and 25 % / 30 %. */
export function abSlowdowns(mode: Mode, config: GateConfig): { S1: number; S2: number } {
  const t = config.thresholds[mode];
  return { S1: 1.5 * t, S2: mode === "generation" ? 0.25 : 0.3 };
}

/** bench/ab-accuracy.ts's arms: A1 and A2 unchanged, S1 and S2 slowed, Aburn under the burner. */
export function abArms(slowdowns: { S1: number; S2: number }): Record<AbArmKey, CaptureArm> {
  return {
    A1: arm("A1", "A1"),
    A2: arm("A2", "A2"),
    S1: arm("S1", "S1", { slowdown: slowdowns.S1 }),
    S2: arm("S2", "S2", { slowdown: slowdowns.S2 }),
    Aburn: arm("Aburn", "Aburn", { burn: true }),
  };
}

/** A capture of an arm, with the 1-minute load average read when it ended (before the burner stops). */
export interface ArmCapture extends Captured {
  loadavg_1m: number;
}

/**
 * Captures one arm: `base` with the arm's device, under the burner when the arm says so.
 * @throws what {@link capture} throws; the burner is stopped in every case.
 */
export async function captureArm(
  a: CaptureArm,
  base: Omit<CaptureSpec, "slowdown" | "extraWork" | "phase">,
): Promise<ArmCapture> {
  const burner = a.burn ? cpuBurner() : null;
  try {
    const device = { slowdown: a.slowdown, extraWork: a.extraWork, ...(a.phase ? { phase: a.phase } : {}) };
    const c = await capture({ ...base, ...device });
    return { ...c, loadavg_1m: os.loadavg()[0] ?? 0 };
  } finally {
    burner?.kill("SIGKILL");
  }
}

/** A seeded Fisher-Yates shuffle of a copy of `xs` (the draws of src/util/prng.ts's randomInt). */
export function shuffled<T>(rng: Rng, xs: readonly T[]): T[] {
  const order = [...xs];
  for (let j = order.length - 1; j > 0; j--) {
    const r = randomInt(rng, j + 1);
    [order[j], order[r]] = [order[r] as T, order[j] as T];
  }
  return order;
}
