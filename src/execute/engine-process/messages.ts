/**
 * The typed messages between the CLI (the supervisor) and the engine process. They travel over Node's IPC
 * channel with the "advanced" (structured clone) serialization, so bigint timestamps and typed arrays cross
 * as they are.
 */
import type { BenchmarkResult } from "../../results/schema.js";
import type { LocalRunRequest } from "./local-run.js";

/** Supervisor to engine process. */
export type ToEngine =
  /**
   * run this benchmark, once; with `hold`, load the model, send "ready" and wait for "start_rounds" before the
   * first round (a counted run switches callgrind's instrumentation on in between)
   */
  | { type: "run"; request: LocalRunRequest; hold?: boolean }
  /** begin the rounds of a held run */
  | { type: "start_rounds" }
  /** stop after the round in flight and send what was measured */
  | { type: "stop" };

/** Engine process to supervisor. */
export type FromEngine =
  /** alive (sent every HEARTBEAT_MS, so a hung process is told from a slow round) */
  | { type: "heartbeat" }
  | { type: "status"; line: string }
  /** one of llama.cpp's own log lines */
  | { type: "llama_log"; line: string }
  /** the model is loaded: a failure from now on is the engine's (exit 7), before it the model's (exit 6) */
  | { type: "model_loaded" }
  /** a held run is loaded and waits for "start_rounds" */
  | { type: "ready" }
  | { type: "round"; done: number; total: number; warmup: boolean }
  /** the run ended: a result (complete or partial), none (stopped before a round finished), or an error */
  | { type: "done"; result: BenchmarkResult | null; stopped: boolean }
  | { type: "error"; message: string; exit_code: number };

/** How often the engine process says it is alive, ms. */
export const HEARTBEAT_MS = 1000;
