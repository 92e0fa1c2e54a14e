/**
 * The requests of a generation serving run when they are not all the same: each request's prompt (or chat
 * messages) and max_tokens, planned (and counted) before the run so that no tokenization is measured.
 * Request i of the measured phase is `measured[i % length]`; the warmup uses requests of its own (a warmup
 * prompt never warms the cache for a measured one). What shapes them: `--prompt-tokens` (exact counts),
 * a `--max-new-tokens` distribution, `--dataset` (with `--multi-turn`, `--max-context`) and
 * `--shared-prefix`, all seeded by `--request-seed`.
 */
import { UsageError } from "../../util/errors.js";
import {
  type ChatMessage,
  type Conversation,
  readDataset,
  sampleConversations,
  turnMessages,
} from "../../workload/dataset.js";
import { distributionText, type LengthDistribution, sampleLengths } from "../../workload/distribution.js";
import type { OpenAiClient } from "./client.js";
import { localTokenCounter } from "./local-tokenizer.js";
import type { ServingOptions } from "./options.js";
import {
  APPROXIMATE_COUNTER,
  exactPrompt,
  inOrder,
  serverTokenCounter,
  type TokenCounter,
  type TokenCountSource,
} from "./prompts.js";

/** One planned request. */
export interface PlannedRequest {
  /** the prompt (completions), or the chat messages rendered as text (the request's identity) */
  prompt: string;
  /** chat messages (a dataset conversation's turn with its history); null: one user message of `prompt` */
  messages: ChatMessage[] | null;
  /** the prompt's tokens as the plan's counter counted them; null when not counted */
  prompt_tokens: number | null;
  max_tokens: number;
  /** a later turn of a session: the index of the request of its previous turn, sent and answered first */
  after: number | null;
}

/** A run's planned requests and what shaped them. */
export interface RequestPlan {
  measured: PlannedRequest[];
  warmup: PlannedRequest[];
  /** who counted the prompt tokens; null when no prompt was counted */
  prompt_token_count_source: TokenCountSource | null;
  /** what shapes the requests, for the workload digest and the result's load.requests */
  shape: Record<string, string | number | boolean | null>;
  /** dataset requests left out because prompt + max_tokens passed --max-context */
  too_long: number;
}

/** Distinct measured requests planned for a run bounded by duration only (then cycled). */
export const DURATION_POOL = 1000;
/** /tokenize requests in flight at once while planning. */
const COUNT_WIDTH = 8;
/** Salts of the seeded streams (lengths of prompts and outputs, shared prefixes, dataset samples). */
const SALT = { prompt: 0x51, output: 0x52, prefix: 0x53, dataset: 0x54, warmup: 0x55 } as const;

/** What the plan needs from the run. */
export interface PlanInput {
  options: ServingOptions;
  /** the served model's request name (sent to /tokenize) */
  model: string;
  warmup: number;
  maxNewTokens: number;
  maxNewTokensDistribution?: LengthDistribution;
  /** the workload's prompt, used when neither --prompt-tokens nor --dataset is given */
  defaultPrompt: string;
  /** the most tokens --max-new-tokens allows (the distribution's clamp) */
  maxNewTokensLimit: number;
  /** the most tokens --prompt-tokens allows */
  promptTokensLimit: number;
}

/** True when the run's requests differ: they need a plan. */
export function needsPlan(input: Pick<PlanInput, "options" | "maxNewTokensDistribution">): boolean {
  const o = input.options;
  return (
    o.promptTokens !== undefined ||
    input.maxNewTokensDistribution !== undefined ||
    o.dataset !== undefined ||
    o.sharedPrefix !== undefined
  );
}

/** Chat messages as one prompt text, as the project's own server renders them ("role: text" lines). */
export function renderMessages(messages: readonly ChatMessage[]): string {
  return `${messages.map((m) => `${m.role}: ${m.content}`).join("\n")}\nassistant:`;
}

/** A request without a plan of its own: one prompt, no history. */
const single = (prompt: string, tokens: number | null, maxTokens: number): PlannedRequest => ({
  prompt,
  messages: null,
  prompt_tokens: tokens,
  max_tokens: maxTokens,
  after: null,
});

/**
 * Plans the requests: lengths drawn with --request-seed, prompts of exactly their token count (counted by
 * the server's /tokenize where it has one, else approximately), dataset turns, shared prefixes.
 * @throws EngineError when /tokenize fails or a prompt of a count cannot be made; UsageError for a bad
 *   dataset or one whose every prompt is longer than --max-context.
 */
export async function planRequests(client: OpenAiClient, input: PlanInput): Promise<RequestPlan> {
  const o = input.options;
  const counting = o.promptTokens !== undefined || o.sharedPrefix !== undefined || o.maxContext !== undefined;
  const server = counting ? await serverTokenCounter(client, input.model) : null;
  const local = counting && server === null && o.tokenizer ? await localTokenCounter(o.tokenizer) : null;
  const counter = counting ? (server ?? local ?? APPROXIMATE_COUNTER) : null;
  try {
    return await planWith(input, counter);
  } finally {
    await local?.dispose();
  }
}

/** Plans the requests with `counter` (null: nothing to count). */
async function planWith(input: PlanInput, counter: TokenCounter | null): Promise<RequestPlan> {
  const o = input.options;
  const seed = o.requestSeed ?? 0;
  const counts = { measured: o.numRequests ?? DURATION_POOL, warmup: input.warmup };
  const outputs = (n: number, salt: number) =>
    input.maxNewTokensDistribution
      ? sampleLengths(input.maxNewTokensDistribution, n, (seed ^ salt) >>> 0, {
          min: 1,
          max: input.maxNewTokensLimit,
        })
      : new Array<number>(n).fill(input.maxNewTokens);
  const out = {
    measured: outputs(counts.measured, SALT.output),
    warmup: outputs(counts.warmup, SALT.warmup),
  };
  let plan: {
    measured: PlannedRequest[];
    warmup: PlannedRequest[];
    too_long: number;
    shape: RequestPlan["shape"];
  };
  if (o.dataset !== undefined) plan = await datasetRequests(o, counter, counts, out);
  else if (o.promptTokens !== undefined) {
    const c = counter as TokenCounter;
    const lengths = sampleLengths(
      o.promptTokens,
      counts.measured + counts.warmup,
      (seed ^ SALT.prompt) >>> 0,
      {
        min: 1,
        max: input.promptTokensLimit,
      },
    );
    const all = await inOrder(
      lengths.map((n, i) => async () => single(await exactPrompt(c, seed, i, n), n, 0)),
      COUNT_WIDTH,
    );
    plan = {
      measured: all
        .slice(0, counts.measured)
        .map((r, i) => ({ ...r, max_tokens: out.measured[i] as number })),
      warmup: all.slice(counts.measured).map((r, i) => ({ ...r, max_tokens: out.warmup[i] as number })),
      too_long: 0,
      shape: {},
    };
  } else {
    plan = {
      measured: out.measured.map((n) => single(input.defaultPrompt, null, n)),
      warmup: out.warmup.map((n) => single(input.defaultPrompt, null, n)),
      too_long: 0,
      shape: {},
    };
  }
  if (o.sharedPrefix !== undefined)
    await withSharedPrefixes(plan, o.sharedPrefix, counter as TokenCounter, seed);
  return {
    measured: plan.measured,
    warmup: plan.warmup,
    prompt_token_count_source: counter?.source ?? null,
    too_long: plan.too_long,
    shape: planShape(input, plan.shape, counter?.source ?? null),
  };
}

/** What shaped the requests, as recorded (load.requests) and digested (the workload's `requests`). */
function planShape(
  input: PlanInput,
  extra: RequestPlan["shape"],
  source: TokenCountSource | null,
): RequestPlan["shape"] {
  const o = input.options;
  return {
    prompt_tokens: o.promptTokens ? distributionText(o.promptTokens) : null,
    max_new_tokens: input.maxNewTokensDistribution
      ? distributionText(input.maxNewTokensDistribution)
      : input.maxNewTokens,
    request_seed: o.requestSeed ?? 0,
    prompt_token_count_source: source,
    ...(o.sharedPrefix ? { shared_prefix: `${o.sharedPrefix.groups}:${o.sharedPrefix.tokens}` } : {}),
    ...(o.maxContext !== undefined ? { max_context: o.maxContext } : {}),
    ...extra,
  };
}

/**
 * Prefixes every request with its group's shared prefix of exactly `tokens` tokens (request i is in group
 * i % groups; the warmup's requests too, so that the measured ones meet warm prefixes as a server with
 * prefix caching would in production).
 */
async function withSharedPrefixes(
  plan: { measured: PlannedRequest[]; warmup: PlannedRequest[] },
  shared: { groups: number; tokens: number },
  counter: TokenCounter,
  seed: number,
): Promise<void> {
  const prefixes = await inOrder(
    Array.from(
      { length: shared.groups },
      (_, g) => () => exactPrompt(counter, (seed ^ SALT.prefix) >>> 0, g, shared.tokens),
    ),
    COUNT_WIDTH,
  );
  const apply = (r: PlannedRequest, i: number): PlannedRequest => {
    const prefix = prefixes[i % shared.groups] as string;
    if (r.messages === null) {
      const prompt = `${prefix}\n\n${r.prompt}`;
      return { ...r, prompt, prompt_tokens: null };
    }
    const [first, ...rest] = r.messages;
    const messages = [
      { ...(first as ChatMessage), content: `${prefix}\n\n${(first as ChatMessage).content}` },
      ...rest,
    ];
    return { ...r, messages, prompt: renderMessages(messages), prompt_tokens: null };
  };
  plan.measured = plan.measured.map(apply);
  plan.warmup = plan.warmup.map(apply);
}

/** The requests of one dataset conversation: its first turn, or with --multi-turn every turn in order. */
function conversationTurns(c: Conversation, multiTurn: boolean): ChatMessage[][] {
  const n = multiTurn ? c.turns.length : 1;
  return Array.from({ length: n }, (_, k) => turnMessages(c, k));
}

/**
 * The dataset's requests: conversations sampled with the seed, their first turn (or every turn, in order,
 * each after the previous one: --multi-turn), turns whose prompt plus max_tokens pass --max-context left out
 * (a session ends there) and counted.
 * @throws UsageError when every sampled prompt is too long.
 */
async function datasetRequests(
  o: ServingOptions,
  counter: TokenCounter | null,
  counts: { measured: number; warmup: number },
  out: { measured: number[]; warmup: number[] },
) {
  const path = o.dataset as string;
  const data = readDataset(path);
  const seed = o.requestSeed ?? 0;
  let tooLong = 0;
  const fits = async (messages: ChatMessage[], maxTokens: number) => {
    if (o.maxContext === undefined || counter === null) return true;
    const ok = (await counter.count(renderMessages(messages))) + maxTokens <= o.maxContext;
    if (!ok) tooLong++;
    return ok;
  };
  const build = async (count: number, lengths: number[], salt: number, multiTurn: boolean) => {
    const order = sampleConversations(data.conversations.length, Math.max(count, 1), (seed ^ salt) >>> 0);
    const reqs: PlannedRequest[] = [];
    for (let pass = 0; reqs.length < count && pass < 2 * order.length + 1; pass++) {
      const c = data.conversations[order[pass % order.length] as number] as Conversation;
      let prev: number | null = null;
      for (const messages of conversationTurns(c, multiTurn)) {
        const maxTokens = lengths[reqs.length] as number;
        if (reqs.length >= count || !(await fits(messages, maxTokens))) break;
        reqs.push({
          prompt: renderMessages(messages),
          messages,
          prompt_tokens: null,
          max_tokens: maxTokens,
          after: prev,
        });
        prev = reqs.length - 1;
      }
    }
    return reqs;
  };
  const measured = await build(counts.measured, out.measured, SALT.dataset, o.multiTurn === true);
  if (measured.length === 0)
    throw new UsageError(
      `--dataset ${path}: all ${tooLong} prompts tried are longer than --max-context ${o.maxContext} tokens (with their max_tokens)`,
    );
  const warmup = await build(counts.warmup, out.warmup, SALT.warmup, false);
  return {
    measured,
    warmup:
      warmup.length === counts.warmup
        ? warmup
        : measured.slice(0, counts.warmup).map((r) => ({ ...r, after: null })),
    too_long: tooLong,
    shape: {
      dataset_sha256: data.sha256,
      dataset_format: data.format,
      multi_turn: o.multiTurn === true,
    },
  };
}
