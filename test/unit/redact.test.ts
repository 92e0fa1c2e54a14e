/** The API key's redaction (src/util/redact.ts): the whole key, and any part of it of 8 characters or more. */
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../src/util/prng.js";
import { REDACT_MIN_PART, secretRedactor } from "../../src/util/redact.js";

/** The same redaction without the rolling hash: every window compared as a string. */
function naive(secret: string, text: string): string {
  const n = Math.min(REDACT_MIN_PART, secret.length);
  const covered = new Array<boolean>(text.length).fill(false);
  for (let i = 0; i + n <= text.length; i++)
    if (secret.includes(text.slice(i, i + n))) for (let j = i; j < i + n; j++) covered[j] = true;
  let out = "";
  for (let i = 0; i < text.length; i++)
    if (!covered[i]) out += text[i];
    else if (i === 0 || !covered[i - 1]) out += "[redacted]";
  return out;
}

describe("secretRedactor", () => {
  const key = "sk-SECRETKEY-0123456789abcdef";
  const redact = secretRedactor(key);

  it("the whole key, every time it occurs", () => {
    expect(redact(`Bearer ${key} and ${key}`)).toBe("Bearer [redacted] and [redacted]");
  });

  it("a prefix, a suffix or a middle part of 8 characters or more, as a server may echo a cut key", () => {
    expect(redact(`model "m-${key.slice(0, 13)}"`)).toBe('model "m-[redacted]"');
    expect(redact(`...${key.slice(-REDACT_MIN_PART)}`)).toBe("...[redacted]");
    expect(redact(`x${key.slice(5, 20)}y`)).toBe("x[redacted]y");
  });

  it("a part shorter than 8 characters, and text without the key, stay as they are", () => {
    expect(redact(`id ${key.slice(0, REDACT_MIN_PART - 1)}!`)).toBe(
      `id ${key.slice(0, REDACT_MIN_PART - 1)}!`,
    );
    expect(redact("HTTP 401: invalid api key")).toBe("HTTP 401: invalid api key");
    expect(redact("")).toBe("");
  });

  it("random texts holding random parts of the key: the same as comparing every window", () => {
    const rng = mulberry32(3);
    const alphabet = "abcdefSECRTKY-0123456789 sk";
    for (let r = 0; r < 500; r++) {
      let text = "";
      while (text.length < 80) {
        if (rng() < 0.3) {
          const from = Math.floor(rng() * key.length);
          text += key.slice(from, from + 1 + Math.floor(rng() * 14));
        } else text += alphabet[Math.floor(rng() * alphabet.length)];
      }
      expect(redact(text), text).toBe(naive(key, text));
    }
  });

  it("a key shorter than 8 characters is redacted only whole; no key, no change", () => {
    const short = secretRedactor("sk-xyz");
    expect(short("Bearer sk-xyz and sk-xyz")).toBe("Bearer [redacted] and [redacted]");
    expect(short("sk-xy")).toBe("sk-xy");
    expect(secretRedactor(null)(`Bearer ${key}`)).toBe(`Bearer ${key}`);
    expect(secretRedactor("")("Bearer x")).toBe("Bearer x");
  });
});
