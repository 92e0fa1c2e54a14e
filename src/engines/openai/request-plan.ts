/**
 * The requests of a generation serving run when they are not all the same: each request's prompt and
 * max_tokens, planned (and counted) before the run so that no tokenization is measured. Request i of the
 * measured phase is `requests[i % length]`; the warmup uses requests of its own after them (a warmup prompt
 * never warms the cache for a measured one).
 */
import { type LengthDistribution, sampleLengths } from "../../workload/distribution.js";
import type { OpenAiClient } from "./client.js";
import type { ServingOptions } from "./options.js";
import {
  APPROXIMATE_COUNTER,
  exactPrompt,
  inOrder,
  serverTokenCounter,
  type TokenCountSource,
} from "./prompts.js";

/** One planned request. */
export interface PlannedRequest {
  prompt: string;
  /** the prompt's tokens as the plan's counter counted them; null when not counted (the workload's prompt) */
  prompt_tokens: number | null;
  max_tokens: number;
}

/** A run's planned requests and what shaped them. */
export interface RequestPlan {
  /** the measured requests (cycled when the run is bounded by duration), then `warmup` requests */
  measured: PlannedRequest[];
  warmup: PlannedRequest[];
  /** who counted the prompt tokens; null when no prompt was counted */
  prompt_token_count_source: TokenCountSource | null;
}

/** Distinct measured requests planned for a run bounded by duration only (then cycled). */
export const DURATION_POOL = 1000;
/** /tokenize requests in flight at once while planning. */
const COUNT_WIDTH = 8;
/** Salts of the seeded streams: lengths of prompts, of outputs, and the words (by request index). */
const SALT = { prompt: 0x51, output: 0x52 } as const;

/** What the plan needs from the run. */
export interface PlanInput {
  options: ServingOptions;
  /** the served model's request name (sent to /tokenize) */
  model: string;
  warmup: number;
  /** the fixed max_tokens, or the distribution to draw each request's from */
  maxNewTokens: number;
  maxNewTokensDistribution?: LengthDistribution;
  /** the workload's prompt, used when --prompt-tokens is not given */
  defaultPrompt: string;
  /** the most tokens --max-new-tokens allows (the distribution's clamp) */
  maxNewTokensLimit: number;
  /** the most tokens --prompt-tokens allows */
  promptTokensLimit: number;
}

/** True when the run's requests differ (a length distribution or --prompt-tokens): they need a plan. */
export function needsPlan(input: Pick<PlanInput, "options" | "maxNewTokensDistribution">): boolean {
  return input.options.promptTokens !== undefined || input.maxNewTokensDistribution !== undefined;
}

/**
 * Plans the requests: lengths drawn with --request-seed, prompts of exactly their token count (counted by
 * the server's /tokenize where it has one, else approximately).
 * @throws EngineError when /tokenize fails or a prompt of a count cannot be made.
 */
export async function planRequests(client: OpenAiClient, input: PlanInput): Promise<RequestPlan> {
  const o = input.options;
  const seed = o.requestSeed ?? 0;
  const measuredCount = o.numRequests ?? DURATION_POOL;
  const total = measuredCount + input.warmup;
  const outputs = input.maxNewTokensDistribution
    ? sampleLengths(input.maxNewTokensDistribution, total, seed ^ SALT.output, {
        min: 1,
        max: input.maxNewTokensLimit,
      })
    : new Array<number>(total).fill(input.maxNewTokens);
  let prompts: Array<{ prompt: string; tokens: number | null }>;
  let source: TokenCountSource | null = null;
  if (o.promptTokens === undefined) {
    prompts = new Array(total).fill({ prompt: input.defaultPrompt, tokens: null });
  } else {
    const counter = (await serverTokenCounter(client, input.model)) ?? APPROXIMATE_COUNTER;
    source = counter.source;
    const lengths = sampleLengths(o.promptTokens, total, seed ^ SALT.prompt, {
      min: 1,
      max: input.promptTokensLimit,
    });
    prompts = await inOrder(
      lengths.map((n, i) => async () => ({ prompt: await exactPrompt(counter, seed, i, n), tokens: n })),
      COUNT_WIDTH,
    );
  }
  const requests = prompts.map((p, i) => ({
    prompt: p.prompt,
    prompt_tokens: p.tokens,
    max_tokens: outputs[i] as number,
  }));
  return {
    measured: requests.slice(0, measuredCount),
    warmup: requests.slice(measuredCount),
    prompt_token_count_source: source,
  };
}
