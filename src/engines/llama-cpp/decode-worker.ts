/**
 * The decode worker: the worker thread in which the llama-cpp engine's decode host (decode-host.ts) runs, so
 * that no token crosses threads and no JavaScript event loop sits between two llama_decode calls. Started by
 * engine.ts.
 *
 * Messages from the engine (parentPort): init, generate, embed, dispose; each gets one reply with the same
 * id, `{ id, ok: true, value }` or `{ id, ok: false, error: { name, message } }`. llama.cpp's warnings and
 * errors arrive unsolicited as `{ log: line }`. Tokenizing is synchronous for the engine: it posts on
 * `rpcPort` and blocks on `rpcFlag` (Atomics.wait) until the reply is on the port.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createDecodeHost } from "./decode-host.js";
import {
  errorOf,
  type RpcRequest,
  type WorkerData,
  type WorkerError,
  type WorkerRequest,
} from "./protocol.js";

const port = parentPort;
if (!port) throw new Error("decode-worker.ts runs only as a worker thread (see engine.ts)");
const data = workerData as WorkerData;
const flag = new Int32Array(data.rpcFlag);
const host = createDecodeHost((line) => port.postMessage({ log: line }));

port.on("message", (req: WorkerRequest) => {
  try {
    port.postMessage({ id: req.id, ok: true, value: host.handle(req) });
  } catch (err) {
    port.postMessage({ id: req.id, ok: false, error: errorOf(err) });
  }
});

data.rpcPort.on("message", (req: RpcRequest) => {
  let reply: { ok: true; value: Int32Array } | { ok: false; error: WorkerError };
  try {
    reply = { ok: true, value: host.rpc(req) };
  } catch (err) {
    reply = { ok: false, error: errorOf(err) };
  }
  data.rpcPort.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
