/**
 * Prompts of an exact token count for a serving run (`--prompt-tokens N` or a distribution), as vLLM's
 * `bench serve` random dataset makes them and checks them against the server's `/tokenize` (vLLM pull
 * request 44708): seeded words, the longest prefix whose count does not pass N, then one-token pads. The
 * count is the server's own (`/tokenize`, llama-server's `{content} -> {tokens}` or vLLM's `{prompt} ->
 * {count}`), else a local tokenizer's, else approximate (one word taken as one token); the result records
 * which (`prompt_token_count_source`). Every request gets its own words (no shared prefix to be cached).
 */
import { EngineError } from "../../util/errors.js";
import { mulberry32, randomInt } from "../../util/prng.js";
import type { OpenAiClient, RequestFailure } from "./client.js";
import { serverRoot } from "./options.js";

/** Who counted the prompt's tokens. */
export type TokenCountSource = "server" | "tokenizer" | "approximate";

/** Counts the tokens of a text (without the special tokens a server adds, such as BOS). */
export interface TokenCounter {
  source: TokenCountSource;
  count(text: string): Promise<number>;
}

/** Common short English words: each is one token in the usual vocabularies (with its leading space). */
const WORDS = (
  "the of and to in is it that was for on are as with his they at be this from have or by one had not but " +
  "what all were when we there can an your which their said if do will each about how up out them then she " +
  "many some so these would other into has more her two like him see time could no make than first been its " +
  "who now people my made over did down only way find use may water long little very after words called just"
).split(" ");

/** How long one /tokenize request may take, in ms. */
const TOKENIZE_TIMEOUT_MS = 30_000;
/** At most this many pads are tried after the longest prefix (a word is rarely more than 4 tokens). */
const MAX_PADS = 16;

/** Request `index`'s seeded words: `count` of them, a stream of its own (its own seed and index). */
export function promptWords(seed: number, index: number, count: number): string[] {
  const rng = mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) + index * 0x85ebca6b + 0x165667b1) >>> 0);
  return Array.from({ length: count }, () => WORDS[randomInt(rng, WORDS.length)] as string);
}

/** The tokens of a `/tokenize` answer: llama-server's `tokens` array, or vLLM's `count`; null for neither. */
function tokenizeCount(json: unknown): number | null {
  if (typeof json !== "object" || json === null) return null;
  const doc = json as { tokens?: unknown; count?: unknown };
  if (typeof doc.count === "number" && Number.isInteger(doc.count)) return doc.count;
  return Array.isArray(doc.tokens) ? doc.tokens.length : null;
}

/**
 * The server's own token counter, when it has `/tokenize` at its root (llama-server, vLLM, the project's own
 * `serve`); null when it has none (404, 405, 501 or an answer without tokens).
 * @throws EngineError when the server cannot be reached or fails otherwise.
 */
export async function serverTokenCounter(client: OpenAiClient, model: string): Promise<TokenCounter | null> {
  const url = new URL(serverRoot(client.baseUrl).href);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/tokenize`;
  const ask = async (text: string): Promise<number | RequestFailure | null> => {
    // llama-server reads content (add_special defaults to false); vLLM reads prompt (add_special_tokens false)
    const a = await client.postJson(
      url,
      { model, content: text, prompt: text, add_special: false, add_special_tokens: false },
      TOKENIZE_TIMEOUT_MS,
    );
    return a.ok ? tokenizeCount(a.json) : a;
  };
  const probe = await ask("hello");
  if (probe === null) return null;
  if (typeof probe !== "number") {
    if (["http_404", "http_405", "http_501"].includes(probe.cause)) return null;
    throw new EngineError(`POST ${url.href} (counting prompt tokens) failed: ${probe.detail}`);
  }
  return {
    source: "server",
    count: async (text) => {
      const n = await ask(text);
      if (typeof n === "number") return n;
      throw new EngineError(
        `POST ${url.href} (counting prompt tokens) failed: ${n === null ? "the answer has no tokens" : n.detail}`,
      );
    },
  };
}

/** The approximate counter: one word, one token (when neither the server nor a tokenizer can count). */
export const APPROXIMATE_COUNTER: TokenCounter = {
  source: "approximate",
  count: async (text) => (text.trim() === "" ? 0 : text.trim().split(/\s+/).length),
};

/**
 * A prompt of exactly `tokens` tokens as `counter` counts them: request `index`'s words, the longest prefix
 * that does not pass the count (a binary search: about log2(tokens) counts), then " a" pads one at a time.
 * @throws EngineError when no prompt of that count can be made (a tokenizer that merges every pad).
 */
export async function exactPrompt(
  counter: TokenCounter,
  seed: number,
  index: number,
  tokens: number,
): Promise<string> {
  let words = promptWords(seed, index, tokens);
  const text = (k: number) => words.slice(0, k).join(" ");
  let hi = tokens;
  // words of less than one token each (never in practice): more words until the count is reached
  for (let i = 0; i < 8 && (await counter.count(text(hi))) < tokens; i++) {
    hi *= 2;
    words = promptWords(seed, index, hi);
  }
  let lo = 0;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if ((await counter.count(text(mid))) <= tokens) lo = mid;
    else hi = mid - 1;
  }
  let prompt = text(lo);
  let count = await counter.count(prompt);
  for (let pads = 0; count < tokens && pads < MAX_PADS; pads++) {
    prompt = prompt === "" ? "a" : `${prompt} a`;
    count = await counter.count(prompt);
  }
  if (count !== tokens)
    throw new EngineError(
      `could not make a prompt of exactly ${tokens} tokens (${counter.source} count: ${count}); give another --prompt-tokens`,
    );
  return prompt;
}

/**
 * Runs `jobs` with at most `width` at once, results in order (the prompts of a run are counted before it).
 */
export async function inOrder<T>(jobs: ReadonlyArray<() => Promise<T>>, width: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await (jobs[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  return out;
}
