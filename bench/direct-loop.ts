/**
 * A minimal direct node-llama-cpp loop in a process of its own (the "direct" arm of
 * bench/engine-process-overhead.ts): load the model, run warmup then measured generation rounds (or embedding
 * rounds) with the same settings the tool uses, print one JSON line with each measured round's throughput.
 *
 * Usage: npx tsx bench/direct-loop.ts --mode generation|embedding --model PATH --rounds N --warmup N --tokens N
 */
import { embeddingWorkload, generationWorkload } from "../src/workload/workload.js";
import { intOpt, modeOpt, parseScript, textOpt, usageExit } from "./lib/args.js";
import { secondsBetween } from "./lib/figures.js";
import { directLlama, embedRound, evaluateRound } from "./lib/native.js";

const info = {
  name: "bench/direct-loop.ts",
  summary: "A minimal direct node-llama-cpp loop (the direct arm of bench/engine-process-overhead.ts).",
  usage: "npx tsx bench/direct-loop.ts --model PATH [options]",
};
const { values } = parseScript(info, {
  mode: modeOpt("generation"),
  model: textOpt("the GGUF model file (required)"),
  rounds: intOpt("measured rounds", 10),
  warmup: intOpt("unmeasured rounds first", 2, { allowZero: true }),
  tokens: intOpt("new tokens per generation round", 64),
});
if (values.model === undefined) usageExit(info, "--model PATH is required");
const llama = await directLlama(1);
const model = await llama.loadModel({ modelPath: values.model, gpuLayers: 0, useMmap: true });
const out: number[] = [];
if (values.mode === "generation") {
  const context = await model.createContext({
    contextSize: 512,
    batchSize: 512,
    sequences: 1,
    threads: { ideal: 1, min: 1 },
  });
  const sequence = context.getSequence();
  const prompt = model.tokenize(generationWorkload(values.tokens).prompt ?? "");
  for (let r = 0; r < values.warmup + values.rounds; r++) {
    await sequence.clearHistory();
    const t = await evaluateRound(sequence, prompt, values.tokens);
    if (r >= values.warmup) out.push(t.n / secondsBetween(t.t0, t.end));
  }
} else {
  const ctx = await model.createEmbeddingContext({ contextSize: 512, batchSize: 512, threads: 1 });
  const texts = (embeddingWorkload().texts ?? []).map((t) => model.tokenize(t));
  for (let r = 0; r < values.warmup + values.rounds; r++) {
    const callsPerSecond = await embedRound(ctx, texts);
    if (r >= values.warmup) out.push(callsPerSecond);
  }
}
process.stdout.write(`${JSON.stringify(out)}\n`);
process.exit(0);
