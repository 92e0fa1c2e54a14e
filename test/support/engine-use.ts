/**
 * Using a real engine in a test: load it, use it, and always dispose of it (its native memory and threads).
 */
import type { Engine } from "../../src/measure/engine-contract.js";

/** Awaits `load`, runs `use` on the engine and disposes of it, whatever `use` does. */
export async function withEngine<T>(load: Promise<Engine>, use: (e: Engine) => Promise<T>): Promise<T> {
  const e = await load;
  try {
    return await use(e);
  } finally {
    await e.dispose();
  }
}
