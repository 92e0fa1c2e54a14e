/**
 * Test devices for runBenchmark's `testing` parameter (src/execute/plan.ts RunTesting): the slowdown and
 * extra-work wrappers of ./slowdown-device.ts, bundled once per process to one plain ES module (esbuild, which
 * tsx brings) so that every engine process can import it, the compiled one of a counted run (plain node, no
 * TypeScript loader) included.
 *
 *   runBenchmark(engine, options, spec, { device: slowdownDevice(0.25) })
 */
import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import type { EngineDevice } from "../../src/execute/device.js";
import type { DeviceConfig } from "./slowdown-device.js";

let bundled: string | null = null;

/**
 * The path of ./slowdown-device.ts bundled to one .mjs file (dependencies inlined), under the system's temp
 * folder and named by its content, so that concurrent processes share it.
 */
export function deviceModule(): string {
  if (bundled !== null) return bundled;
  const out = buildSync({
    entryPoints: [fileURLToPath(new URL("./slowdown-device.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
  });
  const code = out.outputFiles[0]?.text ?? "";
  const dir = join(tmpdir(), "perf-baseline-test-devices");
  mkdirSync(dir, { recursive: true });
  const path = join(
    dir,
    `slowdown-device-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.mjs`,
  );
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, path);
  bundled = path;
  return path;
}

function device(config: DeviceConfig): EngineDevice {
  return { module: deviceModule(), config };
}

/**
 * Every round `s` slower (a fraction in [0, 1)), or with `{ alternate: s }` every other round (the first
 * unchanged): a noisy capture.
 */
export function slowdownDevice(s: number | { alternate: number }): EngineDevice {
  return typeof s === "number"
    ? device({ kind: "slowdown", slowdown: s })
    : device({ kind: "alternate", alternate: s.alternate });
}

/** A share `w` (in [0, 1)) more real work per reported token or call: instruction counts rise by about w. */
export function extraWorkDevice(w: number): EngineDevice {
  return device({ kind: "extra-work", work: w });
}

/** Only prompt processing (`"prefill"`) or only decoding (`"decode"`) of each generation round `s` slower. */
export function phaseSlowdownDevice(phase: "prefill" | "decode", s: number): EngineDevice {
  return device({ kind: "phase-slowdown", phase, slowdown: s });
}
