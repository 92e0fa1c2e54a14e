/**
 * Redaction of a secret (an API key) from text that came back from a server or the network stack: the whole
 * secret and any part of it of REDACT_MIN_PART characters or more (a server that echoes a prefix of the key, cut
 * to fit a field, leaks that prefix otherwise). Each run of characters covered by such parts becomes
 * "[redacted]". A secret shorter than REDACT_MIN_PART is redacted only whole.
 */

/** The shortest part of a secret that is redacted on its own, in characters. */
export const REDACT_MIN_PART = 8;

const MARK = "[redacted]";

/** The base of the rolling hash of a window of characters (Rabin-Karp, modulo 2^32 through Math.imul). */
const BASE = 31;

/** BASE^n modulo 2^32. */
function power(n: number): number {
  let p = 1;
  for (let i = 0; i < n; i++) p = Math.imul(p, BASE);
  return p;
}

/** The rolling hash of text[from, from + n). */
function windowHash(text: string, from: number, n: number): number {
  let h = 0;
  for (let i = from; i < from + n; i++) h = (Math.imul(h, BASE) + text.charCodeAt(i)) | 0;
  return h;
}

/**
 * A function that redacts `secret` from a text (see the module comment); the identity when there is no secret.
 * Each window of the text is found by a rolling hash (Rabin-Karp) and confirmed by comparing characters, so a
 * text costs a few operations per character (results are redacted string by string, whole).
 * @param secret the API key, or null / "" for none
 */
export function secretRedactor(secret: string | null): (text: string) => string {
  if (!secret) return (text) => text;
  const part = Math.min(REDACT_MIN_PART, secret.length);
  const parts = new Set<string>();
  const hashes = new Set<number>();
  for (let i = 0; i + part <= secret.length; i++) {
    parts.add(secret.slice(i, i + part));
    hashes.add(windowHash(secret, i, part));
  }
  const drop = power(part - 1);
  return (text) => {
    if (text.length < part) return text;
    let covered: Uint8Array | null = null;
    let h = windowHash(text, 0, part);
    for (let i = 0; ; i++) {
      if (hashes.has(h) && parts.has(text.slice(i, i + part))) {
        covered ??= new Uint8Array(text.length);
        covered.fill(1, i, i + part);
      }
      if (i + part >= text.length) break;
      // slide: drop text[i], add text[i + part]
      h = (Math.imul(h - Math.imul(text.charCodeAt(i), drop), BASE) + text.charCodeAt(i + part)) | 0;
    }
    return covered === null ? text : replaceCovered(text, covered);
  };
}

/** `text` with each run of covered characters replaced by MARK. */
function replaceCovered(text: string, covered: Uint8Array): string {
  let out = "";
  for (let i = 0; i < text.length; ) {
    const start = i;
    const mark = covered[i] === 1;
    while (i < text.length && (covered[i] === 1) === mark) i++;
    out += mark ? MARK : text.slice(start, i);
  }
  return out;
}
