/**
 * A minimal direct node-llama-cpp loop in a process of its own (the "direct" arm of
 * bench/engine-process-overhead.ts): load the model, run warmup then measured generation rounds (or embedding
 * rounds) with the same settings the tool uses, print one JSON line with each measured round's throughput.
 *
 * Usage: npx tsx bench/direct-loop.ts --mode generation|embedding --model PATH --rounds N --warmup N --tokens N
 */
import { parseArgs } from "node:util";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { embeddingWorkload, generationWorkload } from "../src/workload/workload.js";

const { values } = parseArgs({
  options: {
    mode: { type: "string", default: "generation" },
    model: { type: "string" },
    rounds: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    tokens: { type: "string", default: "64" },
  },
});
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);
const tokens = Number(values.tokens);
const now = () => process.hrtime.bigint();
const llama = await getLlama({
  gpu: false,
  build: "never",
  skipDownload: true,
  usePrebuiltBinaries: true,
  progressLogs: false,
  maxThreads: 1,
  logLevel: LlamaLogLevel.error,
  logger: () => {},
});
const model = await llama.loadModel({ modelPath: values.model as string, gpuLayers: 0, useMmap: true });
const out: number[] = [];
if (values.mode === "generation") {
  const context = await model.createContext({
    contextSize: 512,
    batchSize: 512,
    sequences: 1,
    threads: { ideal: 1, min: 1 },
  });
  const sequence = context.getSequence();
  const prompt = model.tokenize(generationWorkload(tokens).prompt ?? "");
  for (let r = 0; r < warmup + rounds; r++) {
    await sequence.clearHistory();
    let n = 0;
    const t0 = now();
    for await (const _t of sequence.evaluate(prompt, { temperature: 0, yieldEogToken: true })) {
      if (++n >= tokens) break;
    }
    if (r >= warmup) out.push(n / (Number(now() - t0) / 1e9));
  }
} else {
  const ctx = await model.createEmbeddingContext({ contextSize: 512, batchSize: 512, threads: 1 });
  const texts = (embeddingWorkload().texts ?? []).map((t) => model.tokenize(t));
  for (let r = 0; r < warmup + rounds; r++) {
    const t0 = now();
    for (const t of texts) await ctx.getEmbeddingFor(t);
    if (r >= warmup) out.push(texts.length / (Number(now() - t0) / 1e9));
  }
}
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
