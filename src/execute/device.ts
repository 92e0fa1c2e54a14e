/**
 * The seam through which a test device reaches the engine: a module the process that runs the engine imports
 * to wrap the engine it loaded (the slowdown and extra-work devices of test/support/engine-devices.ts). Only
 * a programmatic caller of runBenchmark sets one (its `testing` parameter, ./plan.ts RunTesting): no flag, no
 * environment variable and no field of a result reaches it.
 */
import { pathToFileURL } from "node:url";
import type { Engine } from "../measure/engine-contract.js";

/** A module that wraps the loaded engine, and its configuration. Plain data: it crosses the process boundary. */
export interface EngineDevice {
  /**
   * Absolute path of an ES module exporting `wrapEngine(engine: Engine, config: unknown): Engine`. Plain
   * JavaScript (.mjs or .js) where it must load in the compiled engine process of a counted run (plain node,
   * no TypeScript loader); a .ts module loads only where the engine process runs the sources through tsx.
   */
  module: string;
  /** handed to wrapEngine as it is (structured-clone data: numbers, strings, arrays, plain objects) */
  config: unknown;
}

/**
 * The engine wrapped by the device's module.
 * @throws Error when the module cannot be imported or exports no wrapEngine function.
 */
export async function wrapWithDevice(engine: Engine, device: EngineDevice): Promise<Engine> {
  const mod = (await import(pathToFileURL(device.module).href)) as {
    wrapEngine?: (engine: Engine, config: unknown) => Engine;
  };
  if (typeof mod.wrapEngine !== "function")
    throw new Error(`the engine device ${device.module} exports no wrapEngine(engine, config)`);
  return mod.wrapEngine(engine, device.config);
}
