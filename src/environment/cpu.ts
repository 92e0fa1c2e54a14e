/**
 * The CPU's identity as the operating system sees it (/proc/cpuinfo on Linux): what tells two hosts apart
 * when their model names read the same ("AMD EPYC" covers several generations). Vendor, family, model,
 * stepping and a sha256 of the sorted ISA flags decide wall-time comparability (src/gate/comparability.ts);
 * microcode and cache size are reported only.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** The CPU's identity; a field is null where the OS does not tell it. */
export interface CpuIdentity {
  /** x86 `vendor_id` (e.g. "AuthenticAMD"); Arm `CPU implementer` */
  vendor: string | null;
  /** x86 `cpu family` (e.g. "25"); Arm `CPU architecture` */
  family: string | null;
  /** x86 `model` (e.g. "1"); Arm `CPU part` */
  model: string | null;
  /** x86 `stepping`; Arm `CPU variant` and `CPU revision` ("0x1r2") */
  stepping: string | null;
  /** sha256 of the ISA flags (x86 `flags`, Arm `Features`), sorted and joined by spaces */
  flags_sha256: string | null;
  /** reported only: the microcode revision (x86 `microcode`) */
  microcode: string | null;
  /** reported only: x86 `cache size` (e.g. "512 KB") */
  cache_size: string | null;
}

/** The fields of the first processor block of /proc/cpuinfo, by name. */
function firstBlock(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") {
      if (fields.size > 0 && fields.has("processor")) break;
      continue;
    }
    const i = line.indexOf(":");
    if (i < 0) continue;
    const key = line.slice(0, i).trim();
    if (!fields.has(key)) fields.set(key, line.slice(i + 1).trim());
  }
  return fields;
}

/** sha256 of the flags, sorted and de-duplicated, joined by single spaces; null when there are none. */
export function flagsHash(flags: string | undefined): string | null {
  if (!flags) return null;
  const sorted = [...new Set(flags.split(/\s+/).filter((f) => f !== ""))].sort();
  return sorted.length ? createHash("sha256").update(sorted.join(" ")).digest("hex") : null;
}

/**
 * The identity in a /proc/cpuinfo text (its first processor), or null when it names none of the fields.
 */
export function parseCpuInfo(text: string): CpuIdentity | null {
  const f = firstBlock(text);
  const get = (...keys: string[]) => {
    for (const k of keys) {
      const v = f.get(k);
      if (v !== undefined && v !== "") return v;
    }
    return null;
  };
  const armVariant = get("CPU variant");
  const armRevision = get("CPU revision");
  const id: CpuIdentity = {
    vendor: get("vendor_id", "CPU implementer"),
    family: get("cpu family", "CPU architecture"),
    model: get("model", "CPU part"),
    stepping:
      get("stepping") ?? (armVariant || armRevision ? `${armVariant ?? "?"}r${armRevision ?? "?"}` : null),
    flags_sha256: flagsHash(f.get("flags") ?? f.get("Features")),
    microcode: get("microcode"),
    cache_size: get("cache size"),
  };
  return Object.values(id).some((v) => v !== null) ? id : null;
}

/** This machine's CPU identity from /proc/cpuinfo; null where there is none (not Linux). */
export function cpuIdentity(path = "/proc/cpuinfo"): CpuIdentity | null {
  try {
    return parseCpuInfo(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}

/** The fields that must match for wall-time figures to be compared. */
export const CPU_IDENTITY_KEYS = ["vendor", "family", "model", "stepping", "flags_sha256"] as const;

/** The fields recorded and reported only. */
export const CPU_REPORTED_KEYS = ["microcode", "cache_size"] as const;
