/**
 * Issue 8, faults 1, 2 and 10: every file the tool reads is checked to be a regular file before it is opened
 * (a FIFO never blocks it), read with a size bound, and every file it writes is written through symbolic links
 * onto their target, never renamed over a device, FIFO or directory; `-` and /dev/stdout are standard output.
 * Each case runs the CLI in a child process killed after a bound, so a regression hangs nothing.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GENERATOR_VERSION } from "../../src/models/cache.js";
import { GGUF_MAGIC, GgufValueType } from "../../src/models/gguf-format.js";
import { DEFAULT_MODEL_SEED, DEFAULT_PRESET } from "../../src/models/presets.js";
import { EXIT } from "../../src/util/errors.js";
import { type CliRun, ROOT } from "../support/cli.js";
import { GATE_FIXTURES } from "../support/gate-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "pb-file-kinds-"));
const A = join(GATE_FIXTURES, "generation-a.json");
const B = join(GATE_FIXTURES, "generation-b.json");
/** Long enough for a CLI start on a busy 2-core machine; a FIFO read that blocks is killed at this bound. */
const BOUND_MS = 60_000;

afterAll(() => {
  // FIFOs left behind are harmless, but the folder is the test's own
  execFileSync("rm", ["-rf", dir]);
});

/** `perf-baseline ARGS` in a child process, SIGKILLed after BOUND_MS (a blocked read ignores nothing then). */
function run(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "perf-baseline.js"), ...args], {
    cwd: dir,
    env: { ...process.env, CI: "true", ...env },
    encoding: "utf8",
    timeout: BOUND_MS,
    killSignal: "SIGKILL",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 << 20,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** A one-line `perf-baseline: ...` error matching `pattern`, the exit code, no stack trace, no hang. */
function expectOneLineError(r: CliRun, code: number, pattern: RegExp): void {
  expect(r.signal, "killed at the bound: the command blocked").toBeNull();
  const lines = r.stderr.trim().split("\n");
  const last = lines[lines.length - 1] ?? "";
  expect(last).toMatch(/^perf-baseline: /);
  expect(last).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.status).toBe(code);
}

function fifo(name: string): string {
  const p = join(dir, name);
  execFileSync("mkfifo", [p]);
  return p;
}

describe("inputs that are not regular files are refused before they are opened", () => {
  it("compare: a FIFO as a result file", () => {
    const p = fifo("result.fifo");
    expectOneLineError(
      run(["compare", p, B]),
      EXIT.badResultFile,
      /result\.fifo: is a FIFO.*not a regular file/,
    );
    expectOneLineError(run(["compare", A, p]), EXIT.badResultFile, /result\.fifo: is a FIFO/);
  });

  it("compare: a directory and a character device as result files", () => {
    expectOneLineError(run(["compare", dir, B]), EXIT.badResultFile, /is a directory, not a regular file/);
    expectOneLineError(
      run(["compare", "/dev/zero", B]),
      EXIT.badResultFile,
      /\/dev\/zero: is a character device/,
    );
  });

  it("gate: a FIFO as the baseline", () => {
    const p = fifo("baseline.fifo");
    expectOneLineError(
      run(["gate", "--baseline", p, "--candidate", B]),
      EXIT.badResultFile,
      /baseline\.fifo: is a FIFO/,
    );
  });

  it("--config: a FIFO", () => {
    const p = fifo("config.fifo");
    expectOneLineError(run(["compare", A, B, "--config", p]), EXIT.usage, /config\.fifo: is a FIFO/);
  });

  it("--config: a file over the size bound", () => {
    const p = join(dir, "huge-config.json");
    writeFileSync(p, `{"alpha": 0.01${" ".repeat(2 << 20)}}`);
    expectOneLineError(
      run(["compare", A, B, "--config", p]),
      EXIT.usage,
      /huge-config\.json: is \d+ bytes, more than 1 MiB/,
    );
  });

  it("--model: a FIFO", () => {
    const p = fifo("model.fifo");
    expectOneLineError(
      run(["bench", "--mode", "embedding", "--rounds", "1", "--model", p]),
      EXIT.badModel,
      /model .*model\.fifo: is a FIFO/,
    );
  });

  it("a FIFO standing where the cached model or its sha256 file should be", () => {
    const name = `dummy-${DEFAULT_PRESET}-seed${DEFAULT_MODEL_SEED}-g${GENERATOR_VERSION}.gguf`;
    const modelCache = join(dir, "cache-model", "perf-baseline", "models");
    mkdirSync(modelCache, { recursive: true });
    execFileSync("mkfifo", [join(modelCache, name)]);
    writeFileSync(join(modelCache, `${name}.sha256`), `${"0".repeat(64)}\n`);
    expectOneLineError(
      run(["bench", "--mode", "embedding", "--rounds", "1"], { XDG_CACHE_HOME: join(dir, "cache-model") }),
      EXIT.badModel,
      new RegExp(`${name}: is a FIFO.*model cache`),
    );
    const sidecarCache = join(dir, "cache-sidecar", "perf-baseline", "models");
    mkdirSync(sidecarCache, { recursive: true });
    writeFileSync(join(sidecarCache, name), "not read: the sidecar is refused first");
    execFileSync("mkfifo", [join(sidecarCache, `${name}.sha256`)]);
    expectOneLineError(
      run(["bench", "--mode", "embedding", "--rounds", "1"], { XDG_CACHE_HOME: join(dir, "cache-sidecar") }),
      EXIT.badModel,
      /\.sha256: is a FIFO/,
    );
  });

  it("a GGUF whose metadata array claims 300 million uint8 values is a one-line error (exit 6), not a V8 abort", () => {
    // magic, version 3, 0 tensors, 1 key-value: "a" = array of uint8 with 300e6 items; the file really has
    // that many bytes (sparse), so only a bound on the count itself stops the allocation
    const count = 300_000_000;
    const head = Buffer.alloc(4 + 4 + 8 + 8 + 8 + 1 + 4 + 4 + 8);
    let o = head.writeUInt32LE(GGUF_MAGIC, 0);
    o = head.writeUInt32LE(3, o);
    o = head.writeBigUInt64LE(0n, o);
    o = head.writeBigUInt64LE(1n, o);
    o = head.writeBigUInt64LE(1n, o);
    o += head.write("a", o);
    o = head.writeUInt32LE(GgufValueType.ARRAY, o);
    o = head.writeUInt32LE(GgufValueType.UINT8, o);
    head.writeBigUInt64LE(BigInt(count), o);
    const p = join(dir, "huge-array.gguf");
    const fd = openSync(p, "w");
    writeSync(fd, head);
    writeSync(fd, Buffer.of(0), 0, 1, head.length + count); // sparse: 300 MB on paper, one block on disk
    closeSync(fd);
    expectOneLineError(
      run(["bench", "--mode", "embedding", "--rounds", "1", "--model", p]),
      EXIT.badModel,
      /huge-array\.gguf: corrupt GGUF header: a metadata array claims 300000000 items/,
    );
  });
});

describe("an empty baseline file says how it happened and how to get it back", () => {
  it("gate and compare on a 0-byte baseline", () => {
    const p = join(dir, "baseline-generation.json");
    writeFileSync(p, "");
    for (const args of [
      ["compare", p, B],
      ["gate", "--baseline", p, "--candidate", B],
    ]) {
      const r = run(args);
      expectOneLineError(
        r,
        EXIT.badResultFile,
        /is empty \(0 bytes\): a redirect `> .*` of a command that failed emptied it/,
      );
      expect(r.stderr).toContain(`git checkout -- ${p}`);
      expect(r.stderr).toContain(`git show HEAD:${p}`);
    }
  });
});

describe("outputs onto what is not a regular file", () => {
  it("--report-json through a symbolic link writes its target and keeps the link", () => {
    const target = join(dir, "reports", "real.json");
    mkdirSync(join(dir, "reports"), { recursive: true });
    writeFileSync(target, "old\n");
    const link = join(dir, "report-link.json");
    symlinkSync(target, link);
    const r = run(["compare", A, B, "--report-json", link]);
    expect(r.signal).toBeNull();
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(JSON.parse(readFileSync(target, "utf8")).verdict).toMatch(
      /PASS|REGRESSION|INCONCLUSIVE|INCOMPARABLE/,
    );
  });

  it("a dangling symbolic link: its target is created", () => {
    const target = join(dir, "reports", "new.json");
    const link = join(dir, "dangling.json");
    symlinkSync(target, link);
    const r = run(["compare", A, B, "--report-json", link]);
    expect(r.signal).toBeNull();
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(target, "utf8")).mode).toBe("generation");
  });

  it("a character device is refused and left as it was", () => {
    // as root a copy of /dev/null in the test's folder (a fault would replace that copy, not the real one)
    let device = "/dev/null";
    if (process.getuid?.() === 0) {
      device = join(dir, "null-device");
      execFileSync("mknod", ["-m", "666", device, "c", "1", "3"]);
    }
    const r = run(["compare", A, B, "--report-json", device]);
    expectOneLineError(
      r,
      EXIT.output,
      /cannot write .*null.* \(it is a character device, not a regular file/,
    );
    expect(statSync(device).isCharacterDevice()).toBe(true);
  });

  it("a FIFO and a directory are refused before any work, and left as they were", () => {
    const p = fifo("out.fifo");
    expectOneLineError(run(["compare", A, B, "--report-json", p]), EXIT.output, /out\.fifo .*it is a FIFO/);
    expect(lstatSync(p).isFIFO()).toBe(true);
    const d = join(dir, "out-dir");
    mkdirSync(d);
    expectOneLineError(
      run(["compare", A, B, "--report-json", d]),
      EXIT.output,
      /out-dir .*it is a directory/,
    );
    expect(statSync(d).isDirectory()).toBe(true);
    // a link to a FIFO is the FIFO
    const link = join(dir, "link-to-fifo.json");
    symlinkSync(p, link);
    expectOneLineError(run(["compare", A, B, "--report-json", link]), EXIT.output, /it is a FIFO/);
  });

  it("- and /dev/stdout write the report to standard output; nothing is created or replaced", () => {
    for (const out of ["-", "/dev/stdout"]) {
      const before = lstatSync("/dev/stdout").isSymbolicLink();
      const r = run(["compare", A, B, "--report-json", out]);
      expect(r.signal).toBeNull();
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      const json = r.stdout.slice(r.stdout.indexOf("\n{") + 1);
      expect(JSON.parse(json).mode).toBe("generation");
      expect(existsSync(join(dir, "-"))).toBe(false);
      expect(lstatSync("/dev/stdout").isSymbolicLink()).toBe(before);
    }
  });
});
