/**
 * Issue 20 item 1, the atomic writer under an injected full disk: writeSync is stubbed to write at most a
 * budget of bytes (a short write, as a nearly full disk does) and then fail with ENOSPC, EDQUOT or EIO. The
 * previous file stays byte for byte, no temp file is left, and the error is one line naming the path and
 * the cause. Also: mkdir -p is bounded (/proc/self), a folder fsync that the file system refuses is accepted.
 */
import * as fs from "node:fs";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";

/** Bytes the stubbed disk still takes (null: the real writeSync), and the errno once it is full. */
const disk: { free: number | null; perCall: number | null; code: string } = {
  free: null,
  perCall: null,
  code: "ENOSPC",
};

vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  const writeSync = (fd: number, data: Uint8Array | string, ...rest: unknown[]) => {
    if (disk.free === null && disk.perCall === null)
      return (real.writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
    // writeSync(fd, string) or writeSync(fd, buffer, offset, length): both as bytes
    const buf = typeof data === "string" ? Buffer.from(data) : data;
    const off = typeof data === "string" ? 0 : ((rest[0] as number | undefined) ?? 0);
    const want =
      typeof data === "string" ? buf.length : ((rest[1] as number | undefined) ?? buf.length - off);
    const free = disk.free ?? Number.POSITIVE_INFINITY;
    if (free <= 0 && want > 0)
      throw Object.assign(new Error(`${disk.code}: stubbed full disk, write`), { code: disk.code });
    const n = Math.min(want, free, disk.perCall ?? Number.POSITIVE_INFINITY);
    if (disk.free !== null) disk.free -= n;
    return real.writeSync(fd, buf, off, n, null);
  };
  return { ...real, writeSync, default: { ...real, writeSync } };
});

const { atomicWriteText, atomicWriteWith, makeDirsSync, writeAllSync } = await import(
  "../../src/util/atomic-file.js"
);
const { OutputNotWritableError } = await import("../../src/util/errors.js");

afterEach(() => {
  disk.free = null;
  disk.perCall = null;
  disk.code = "ENOSPC";
});

const OLD = `${JSON.stringify({ schema_version: 1, note: "x".repeat(11_000) }, null, 2)}\n`;

function scratch(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), "pb-atomic-"));
  const path = join(dir, "baseline.json");
  writeFileSync(path, OLD);
  return { dir, path };
}

describe("a full disk leaves the previous file and says so in one line", () => {
  for (const code of ["ENOSPC", "EDQUOT", "EIO"]) {
    it(`a short write then ${code}: the old file stays, no temp file, one line naming path and cause`, () => {
      const { dir, path } = scratch();
      disk.free = 4096;
      disk.code = code;
      let err: unknown;
      try {
        atomicWriteText(path, "y".repeat(12_000));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OutputNotWritableError);
      const message = (err as Error).message;
      expect(message).toContain(path);
      expect(message).toContain(`(${code}`);
      expect(message).not.toMatch(/\n/);
      disk.free = null;
      expect(readFileSync(path, "utf8")).toBe(OLD);
      expect(readdirSync(dir)).toEqual(["baseline.json"]);
    });
  }

  it("short writes that succeed are continued: the whole text lands (text and GGUF-style buffers)", () => {
    const { path } = scratch();
    disk.perCall = 1000; // the disk takes 1000 bytes per call
    atomicWriteText(path, "z".repeat(10_000));
    expect(readFileSync(path, "utf8")).toBe("z".repeat(10_000));
    atomicWriteWith(path, (fd) => writeAllSync(fd, Buffer.alloc(5000, 1)));
    expect(readFileSync(path).length).toBe(5000);
  });

  it("a disk that takes nothing fails with ENOSPC on the first byte", () => {
    const { path } = scratch();
    disk.free = 0;
    expect(() => atomicWriteText(path, "new")).toThrow(/ENOSPC: no space left on the device/);
    disk.free = null;
    expect(readFileSync(path, "utf8")).toBe(OLD);
  });
});

describe("mkdir -p is bounded", () => {
  it("under /proc/self it fails at once (ENOENT) instead of looping", () => {
    const t0 = Date.now();
    expect(() => makeDirsSync("/proc/self/perf-baseline/models")).toThrow(/ENOENT/);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it("creates every missing level, and refuses a file on the way (ENOTDIR)", () => {
    const dir = mkdtempSync(join(tmpdir(), "pb-mkdirs-"));
    makeDirsSync(join(dir, "a", "b", "c"));
    expect(fs.statSync(join(dir, "a", "b", "c")).isDirectory()).toBe(true);
    writeFileSync(join(dir, "f"), "");
    expect(() => makeDirsSync(join(dir, "f", "g"))).toThrow(/ENOTDIR/);
  });

  it("an atomic write under /proc/self ends with one line (cannot write ... ENOENT)", () => {
    expect(() => atomicWriteText("/proc/self/perf-baseline/x.json", "{}")).toThrow(
      /^cannot write \/proc\/self\/perf-baseline\/x\.json \(ENOENT\)/,
    );
  });
});
