/**
 * Issue 8, faults 1 and 2, the pieces: bounded reads of regular files (src/util/read-file.ts) and where an
 * output path really writes (src/util/output-path.ts). Only regular files, links, folders and /dev/null's
 * stat are touched here (a FIFO could block an in-process test; those run in child processes in
 * test/integration/file-kinds.test.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { atomicWriteText } from "../../src/util/atomic-file.js";
import { OutputNotWritableError } from "../../src/util/errors.js";
import { assertWritablePath, resolveOutputTarget } from "../../src/util/output-path.js";
import { readRegularText } from "../../src/util/read-file.js";

const dir = realpathSync(mkdtempSync(join(tmpdir(), "pb-read-file-")));
const fail = (problem: string) => new Error(problem);

describe("readRegularText", () => {
  it("reads a regular file up to its bound, and refuses one byte more before reading it", () => {
    const p = join(dir, "ten.txt");
    writeFileSync(p, "0123456789");
    expect(readRegularText(p, { maxBytes: 10, what: "a test file" }, fail)).toBe("0123456789");
    expect(() => readRegularText(p, { maxBytes: 9, what: "a test file" }, fail)).toThrow(
      /^is 10 bytes, more than 9 bytes: too large for a test file$/,
    );
  });

  it("follows a symbolic link to a regular file; names a missing file, a folder, a link to a folder", () => {
    const target = join(dir, "target.json");
    writeFileSync(target, "{}");
    const link = join(dir, "link.json");
    symlinkSync(target, link);
    expect(readRegularText(link, { maxBytes: 100, what: "x" }, fail)).toBe("{}");
    expect(() => readRegularText(join(dir, "none"), { maxBytes: 100, what: "x" }, fail)).toThrow(
      /^file not found$/,
    );
    expect(() => readRegularText(dir, { maxBytes: 100, what: "x" }, fail)).toThrow(
      /^is a directory, not a regular file$/,
    );
    const dirLink = join(dir, "dir-link");
    symlinkSync(dir, dirLink);
    expect(() => readRegularText(dirLink, { maxBytes: 100, what: "x" }, fail)).toThrow(/is a directory/);
    expect(() => readRegularText("/dev/null", { maxBytes: 100, what: "x" }, fail)).toThrow(
      /^is a character device, not a regular file$/,
    );
  });
});

describe("resolveOutputTarget", () => {
  it("- and /dev/stdout are standard output, /dev/stderr standard error", () => {
    expect(resolveOutputTarget("-")).toMatchObject({ kind: "stream", fd: 1 });
    expect(resolveOutputTarget("/dev/stdout")).toMatchObject({ kind: "stream", fd: 1 });
    expect(resolveOutputTarget("/dev/stderr")).toMatchObject({ kind: "stream", fd: 2 });
  });

  it("a chain of links ends at its final target, which may not exist yet", () => {
    const final = join(dir, "out", "final.json");
    const l1 = join(dir, "l1.json");
    const l2 = join(dir, "l2.json");
    symlinkSync(final, l2);
    symlinkSync("l2.json", l1); // relative to the link's folder
    expect(resolveOutputTarget(l1)).toEqual({ kind: "file", path: final });
    atomicWriteText(l1, "through two links\n");
    expect(readFileSync(final, "utf8")).toBe("through two links\n");
    expect(readFileSync(l1, "utf8")).toBe("through two links\n");
  });

  it("a loop of links, a device and a folder are refused with OutputNotWritableError", () => {
    const a = join(dir, "loop-a");
    const b = join(dir, "loop-b");
    symlinkSync(b, a);
    symlinkSync(a, b);
    expect(() => resolveOutputTarget(a)).toThrow(OutputNotWritableError);
    expect(() => resolveOutputTarget(a)).toThrow(/ELOOP/);
    expect(() => assertWritablePath("/dev/null")).toThrow(/it is a character device, not a regular file/);
    const d = join(dir, "folder");
    mkdirSync(d);
    expect(() => assertWritablePath(d)).toThrow(/it is a directory/);
    expect(() => atomicWriteText(d, "x")).toThrow(/it is a directory/);
  });
});
