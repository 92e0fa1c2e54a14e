/**
 * FAKE ENGINE for unit tests (it stands in for the native engines, which cannot run inside a unit test's
 * time budget): it implements the Engine interface with a controlled clock, so that measure/ and the run
 * pipeline are driven without the addon. Every generated token takes `tokenNs` on a virtual clock; token ids
 * are a deterministic function of the position; embeddings are a fixed function of the text.
 */

import type { LocalEngineFactory } from "../../src/engines/local/define.js";
import type {
  EmbeddingRound,
  Engine,
  GenerationRound,
  SyntheticInputs,
  SyntheticShape,
} from "../../src/measure/engine-contract.js";
import type { ModelInfo } from "../../src/models/model-info.js";

/** Options of the fake engine. */
export interface FakeEngineOptions {
  /** virtual nanoseconds per generated token. Defaults to 1 ms. */
  tokenNs?: bigint;
  /** virtual nanoseconds of a prefill. Defaults to 2 ms. */
  prefillNs?: bigint;
  /** virtual nanoseconds per embedding call. Defaults to 3 ms. */
  callNs?: bigint;
  /** called before each round (generate or embed call), with the round index */
  beforeRound?: (round: number) => void;
  /** virtual nanoseconds per prompt token on top of prefillNs (workload shapes). Defaults to 0. */
  promptTokenNs?: bigint;
  /** called with each generate call's shape (tests of the workload shapes) */
  onShape?: (shape: SyntheticShape | undefined, synthetic: SyntheticInputs | undefined) => void;
}

/** A fake engine on a virtual clock (the clock starts at 0 and only the engine advances it). */
export function fakeEngine(o: FakeEngineOptions = {}): Engine & { rounds: number } {
  const tokenNs = o.tokenNs ?? 1_000_000n;
  const prefillNs = o.prefillNs ?? 2_000_000n;
  const callNs = o.callNs ?? 3_000_000n;
  let clock = 0n;
  const engine = {
    rounds: 0,
    identity: { name: "fake-for-tests", versions: { fake: "1" }, details: {} },
    settings: {
      threads: 1,
      embedding_threads: null,
      batch_size: 512,
      context_size: 512,
      gpu: "off",
      gpu_layers: 0,
    },
    countTokens: (text: string) => text.split(/\s+/).length,
    async generate(prompt: string, maxNewTokens: number, shape?: SyntheticShape): Promise<GenerationRound> {
      o.beforeRound?.(engine.rounds++);
      o.onShape?.(shape, undefined);
      // the depth is filled before the round's timing: it advances the clock before start
      clock += BigInt(shape?.depth ?? 0) * (o.promptTokenNs ?? 0n);
      const promptTokens = shape?.syntheticTokens ?? prompt.split(/\s+/).length;
      const start = clock;
      clock += prefillNs + BigInt(promptTokens) * (o.promptTokenNs ?? 0n);
      const prefillEnd = clock;
      const times: bigint[] = [];
      const ids: number[] = [];
      for (let i = 0; i < maxNewTokens; i++) {
        clock += tokenNs;
        times.push(clock);
        ids.push((i * 7 + 3) % 500);
      }
      return {
        start_ns: start,
        first_token_ns: times[0] ?? null,
        end_ns: maxNewTokens === 0 ? prefillEnd : clock,
        prompt_tokens: promptTokens,
        output_tokens: ids.length,
        token_ids: ids,
        text: null,
        chunk_times_ns: times,
      };
    },
    async embed(texts: readonly string[], synthetic?: SyntheticInputs): Promise<EmbeddingRound> {
      o.beforeRound?.(engine.rounds++);
      o.onShape?.(undefined, synthetic);
      if (synthetic)
        texts = Array.from({ length: synthetic.inputs }, (_, i) => `s${i} `.repeat(synthetic.tokens).trim());
      const start = clock;
      const durations: bigint[] = [];
      for (const _ of texts) {
        clock += callNs;
        durations.push(callNs);
      }
      return {
        start_ns: start,
        end_ns: clock,
        calls: texts.length,
        inputs: texts.length,
        input_tokens: texts.reduce((a, t) => a + t.split(/\s+/).length, 0),
        call_durations_ns: durations,
        vectors: texts.map((t) => [t.length, 1, 2]),
      };
    },
    async dispose() {},
  };
  return engine;
}

/** A local-engine factory that returns a fake engine (for runLocalBenchmark). */
export function fakeFactory(o: FakeEngineOptions = {}): LocalEngineFactory {
  return async (f) => {
    f.onModelLoaded?.();
    return fakeEngine(o);
  };
}

/** The model a fake engine "runs": a tiny dummy's identity, `context_length` 256 unless overridden. */
export function fakeModel(overrides: Partial<ModelInfo> = {}): ModelInfo {
  return {
    path: "/fake/model.gguf",
    name: "fake",
    sha256: "0".repeat(64),
    size_bytes: 1,
    architecture: "llama",
    parameter_count: 1,
    quantization: "f32",
    dummy: true,
    preset: "tiny",
    context_length: 256,
    embedding_length: 8,
    block_count: 1,
    vocab_size: 500,
    ...overrides,
  };
}
