/**
 * The llama-cpp engine's decode protocol: the requests the engine sends its decode host (decode-host.ts),
 * in the decode worker or on its own thread, the replies, and how an error crosses a thread boundary.
 * No native code here: engine.ts imports this without loading koffi.
 */
import type { MessagePort } from "node:worker_threads";
import { PerfBaselineError } from "../../util/errors.js";
import type { GreedyMethod } from "./argmax.js";
import type { LlamaCppApi } from "./ffi.js";
import type { SessionInfo } from "./session.js";

/** What engine.ts passes as workerData. */
export interface WorkerData {
  /** the sync-RPC port (tokenize) */
  rpcPort: MessagePort;
  /** Int32Array(1) over a SharedArrayBuffer: set to 1 and notified when a sync reply is on rpcPort */
  rpcFlag: SharedArrayBuffer;
}

/** Requests to the worker. */
export type WorkerRequest =
  | {
      id: number;
      type: "init";
      libDir: string;
      modelPath: string;
      mode: "generation" | "embedding";
      threads: number;
      contextSize: number;
      batchSize: number;
      /** n_ubatch; null: batchSize */
      ubatchSize: number | null;
      /** load only this CPU variant (libggml-cpu-NAME.so) where libDir has it; null: ggml picks the best */
      cpuVariant: string | null;
      /** n_seq_max: sequences decoded together (`--parallel`, parallel.ts); absent: 1 */
      parallel?: number;
      /** the session's greedy pick (argmax.ts); absent: DEFAULT_GREEDY_METHOD */
      greedy?: GreedyMethod;
    }
  | {
      id: number;
      type: "generate";
      prompt: Int32Array;
      maxNewTokens: number;
      /** tokens decoded before the round's timing starts (`--depth`) */
      depth?: Int32Array;
      /** sequences decoded together (`--parallel`, parallel.ts); absent: 1, the single-sequence loop */
      parallel?: number;
      /** how the greedy token is picked (argmax.ts); absent: the session's (init) */
      greedy?: GreedyMethod;
    }
  | {
      id: number;
      type: "embed";
      inputs: Int32Array[];
      /** true: the inputs are bare tokens, the host adds BOS/EOS/SEP (session.ts embeddingInput) first */
      wrap?: boolean;
    }
  | {
      id: number;
      type: "dispose";
      /** the log callback to give llama.cpp back (engine.ts decides: see restoreLogger there) */
      restoreLogger: { callback: bigint | null; userData: bigint | null };
    };

/** What init returns. */
export interface InitReply {
  versions: LlamaCppApi["versions"];
  info: SessionInfo;
  cpu_backend_variant: string | null;
  /** this worker's log callback and the one it replaced (native pointers) */
  logger: { own: bigint; previous: { callback: bigint | null; userData: bigint | null } | null };
}

/** A synchronous request on the RPC port. */
export interface RpcRequest {
  type: "tokenize" | "embedding-input";
  text: string;
}

/** A failure reported across the thread boundary. */
export interface WorkerError {
  name: string;
  message: string;
}

/** A failure as it crosses a thread boundary (typed errors keep their name). */
export function errorOf(err: unknown): WorkerError {
  if (err instanceof PerfBaselineError) return { name: err.name, message: err.message };
  const e = err as Error;
  return { name: "Error", message: e?.message ?? String(err) };
}
