/**
 * The project's own SentencePiece-style ("llama") vocabulary for the dummy models: no tokenizer can be
 * downloaded, so it is generated. Layout: <unk>, <s>, </s>, the 256 byte-fallback tokens, "▁", then
 * lower-case letter strings of length 1 to 3, each with and without the word-start mark "▁", until the
 * vocabulary is full. Any text tokenizes (bytes cover the rest); deterministic by construction.
 */

/** llama.cpp token types (tokenizer.ggml.token_type). */
export const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

export interface Vocabulary {
  tokens: string[];
  scores: Float32Array;
  types: Int32Array;
  unk: number;
  bos: number;
  eos: number;
}

const WORD_START = "\u2581";
const LETTERS = "abcdefghijklmnopqrstuvwxyz";

function* letterStrings(): Generator<string> {
  let current = [""];
  for (let len = 1; len <= 4; len++) {
    const next: string[] = [];
    for (const prefix of current) for (const c of LETTERS) next.push(prefix + c);
    for (const s of next) {
      yield WORD_START + s;
      yield s;
    }
    current = next;
  }
}

/**
 * Builds a vocabulary of exactly `size` tokens.
 * @param size total number of tokens, at least 260 (special + byte tokens + "▁").
 */
export function buildVocabulary(size: number): Vocabulary {
  if (!Number.isInteger(size) || size < 260)
    throw new RangeError(`vocabulary size must be an integer >= 260, got ${size}`);
  const tokens: string[] = ["<unk>", "<s>", "</s>"];
  const types: number[] = [TOKEN_TYPE.unknown, TOKEN_TYPE.control, TOKEN_TYPE.control];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    types.push(TOKEN_TYPE.byte);
  }
  tokens.push(WORD_START);
  types.push(TOKEN_TYPE.normal);
  const pieces = letterStrings();
  while (tokens.length < size) {
    const next = pieces.next();
    if (next.done) throw new RangeError(`vocabulary size ${size} is larger than the generator can fill`);
    tokens.push(next.value);
    types.push(TOKEN_TYPE.normal);
  }
  // SentencePiece scores: longer pieces score higher so that merges prefer them; ties break by position.
  const scores = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const t = types[i] === TOKEN_TYPE.normal ? (tokens[i] as string).length : 0;
    scores[i] = types[i] === TOKEN_TYPE.normal ? t * 1000 - i / 1000 : 0;
  }
  return { tokens, scores, types: Int32Array.from(types), unk: 0, bos: 1, eos: 2 };
}
