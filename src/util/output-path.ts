import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { OutputNotWritableError } from "./errors.js";

/**
 * Checks, before any work is done, that `path` can be written: its nearest existing folder is writable and
 * it is not itself a folder. Catches a bad --output at start, not after a ten-minute run.
 * @throws OutputNotWritableError naming the path.
 */
export function assertWritablePath(path: string): void {
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isDirectory()) throw new OutputNotWritableError(path, "EISDIR");
  let dir = dirname(abs);
  while (!existsSync(dir)) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  try {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error("ENOTDIR"), { code: "ENOTDIR" });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new OutputNotWritableError(path, err);
  }
}
