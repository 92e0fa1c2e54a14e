/**
 * Serving datasets (`--dataset FILE` with `--engine openai`): conversations read from a ShareGPT JSON file
 * (`[{conversations: [{from, value}, ...]}]`, as vLLM's `bench serve --dataset-name sharegpt` reads it) or a
 * JSON Lines file of `{"prompt": "..."}` or `{"messages": [{role, content}, ...]}` lines (one request or one
 * conversation each). Read with a size bound, validated with a one-line error that names the file and the
 * first bad entry, and sampled with a seed. Pure besides the read.
 */
import { createHash } from "node:crypto";
import { UsageError } from "../util/errors.js";
import { mulberry32, randomInt } from "../util/prng.js";
import { readRegularFile, stripBom } from "../util/read-file.js";

/** One user turn and the answer the dataset recorded for it (null when it has none). */
export interface Turn {
  user: string;
  assistant: string | null;
}

/** A conversation: its user turns in order (a system message, if any, leads the first turn's history). */
export interface Conversation {
  system: string | null;
  turns: Turn[];
}

/** A dataset as read. */
export interface Dataset {
  format: "sharegpt" | "jsonl";
  conversations: Conversation[];
  /** entries with no user turn (ShareGPT conversations that start with the answer, empty ones): skipped */
  skipped: number;
  /** sha256 of the file's bytes (in the workload digest) */
  sha256: string;
}

/** The largest dataset file read, in bytes (the full ShareGPT V3 file is 642 MB: take a sample of it). */
export const MAX_DATASET_BYTES = 256 * 1024 * 1024;

const USER_ROLES = new Set(["human", "user"]);
const ASSISTANT_ROLES = new Set(["gpt", "assistant", "chatgpt", "bard", "bing", "model"]);

const fail = (path: string) => (problem: string) => new UsageError(`--dataset ${path}: ${problem}`);

/** Messages (role, text) as a conversation: user turns, each with the answer that follows it. */
function conversationOf(messages: ReadonlyArray<{ role: string; text: string }>): Conversation | null {
  const turns: Turn[] = [];
  let system: string | null = null;
  for (const m of messages) {
    if (m.role === "system" && turns.length === 0) system = m.text;
    else if (USER_ROLES.has(m.role)) turns.push({ user: m.text, assistant: null });
    else if (ASSISTANT_ROLES.has(m.role) && turns.length > 0) {
      const last = turns[turns.length - 1] as Turn;
      if (last.assistant === null) last.assistant = m.text;
    }
  }
  return turns.length === 0 ? null : { system, turns };
}

/** The messages of a ShareGPT entry, or what is wrong with it. */
function shareGptMessages(entry: unknown): Array<{ role: string; text: string }> | string {
  const conv = (entry as { conversations?: unknown } | null)?.conversations;
  if (!Array.isArray(conv))
    return "has no conversations array (ShareGPT: [{conversations: [{from, value}]}])";
  const out: Array<{ role: string; text: string }> = [];
  for (const m of conv) {
    const { from, value } = (m ?? {}) as { from?: unknown; value?: unknown };
    if (typeof from !== "string" || typeof value !== "string")
      return "has a message without a string from and value";
    out.push({ role: from.toLowerCase(), text: value });
  }
  return out;
}

/** The messages of a JSON Lines entry ({prompt} or {messages}), or what is wrong with it. */
function jsonLineMessages(entry: unknown): Array<{ role: string; text: string }> | string {
  const e = (entry ?? {}) as { prompt?: unknown; messages?: unknown };
  if (typeof e.prompt === "string") return [{ role: "user", text: e.prompt }];
  if (!Array.isArray(e.messages)) return 'is neither {"prompt": "..."} nor {"messages": [...]}';
  const out: Array<{ role: string; text: string }> = [];
  for (const m of e.messages) {
    const { role, content } = (m ?? {}) as { role?: unknown; content?: unknown };
    if (typeof role !== "string" || typeof content !== "string")
      return "has a message without a string role and content";
    out.push({ role: role.toLowerCase(), text: content });
  }
  return out;
}

/**
 * Reads a dataset: ShareGPT JSON (the file starts with `[`) or JSON Lines.
 * @throws UsageError (one line naming the file) for a missing or unreadable file, one above
 *   MAX_DATASET_BYTES, text that is not JSON / JSON Lines, an entry of another shape (its number), or no
 *   conversation with a user turn.
 */
export function readDataset(path: string, maxBytes = MAX_DATASET_BYTES): Dataset {
  const bytes = readRegularFile(path, { maxBytes, what: "a dataset" }, fail(path));
  const text = stripBom(bytes.toString("utf8"));
  const sharegpt = text.trimStart().startsWith("[");
  let entries: unknown[];
  if (sharegpt) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw fail(path)(`not valid JSON (${(err as Error).message})`);
    }
    entries = doc as unknown[];
  } else {
    entries = text
      .split("\n")
      .map((line, i) => [line.trim(), i + 1] as const)
      .filter(([line]) => line !== "")
      .map(([line, n]) => {
        try {
          return JSON.parse(line);
        } catch {
          throw fail(path)(
            `line ${n} is not JSON (expected JSON Lines of {"prompt"} or {"messages"}, or ShareGPT JSON)`,
          );
        }
      });
  }
  const conversations: Conversation[] = [];
  let skipped = 0;
  entries.forEach((entry, i) => {
    const messages = sharegpt ? shareGptMessages(entry) : jsonLineMessages(entry);
    if (typeof messages === "string") throw fail(path)(`${sharegpt ? "entry" : "line"} ${i + 1} ${messages}`);
    const c = conversationOf(messages);
    if (c === null) skipped++;
    else conversations.push(c);
  });
  if (conversations.length === 0)
    throw fail(path)(`holds no conversation with a user turn (${entries.length} entries)`);
  return {
    format: sharegpt ? "sharegpt" : "jsonl",
    conversations,
    skipped,
    sha256: createHash("sha256").update(bytes).digest("hex"),
  };
}

/**
 * `count` conversation indices drawn with `seed`: a seeded shuffle of all of them, repeated (each pass
 * shuffled anew) when more are needed than the dataset holds.
 */
export function sampleConversations(size: number, count: number, seed: number): number[] {
  const rng = mulberry32(seed);
  const out: number[] = [];
  while (out.length < count) {
    const order = Array.from({ length: size }, (_, i) => i);
    for (let i = size - 1; i > 0; i--) {
      const j = randomInt(rng, i + 1);
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    out.push(...order.slice(0, count - out.length));
  }
  return out;
}

/** A chat message. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/**
 * The messages of turn `k` of a conversation: the system message, every earlier turn with the answer the
 * dataset recorded (a turn without one gets an empty answer), then turn k's user message.
 */
export function turnMessages(c: Conversation, k: number): ChatMessage[] {
  const out: ChatMessage[] = c.system === null ? [] : [{ role: "system", content: c.system }];
  c.turns.slice(0, k).forEach((t) => {
    out.push({ role: "user", content: t.user }, { role: "assistant", content: t.assistant ?? "" });
  });
  out.push({ role: "user", content: (c.turns[k] as Turn).user });
  return out;
}
