import { createParser } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { leadingDataEvents } from "../../src/engines/openai/client.js";
import { mulberry32 } from "../../src/util/prng.js";

/** What eventsource-parser dispatches for a text fed in one piece: the data of each event. */
function parsed(text: string): string[] {
  const out: string[] = [];
  createParser({ onEvent: (e) => out.push(e.data) }).feed(text);
  return out;
}

/** What the fast path dispatches for a piece, then the parser for the rest; and where the fast path stopped. */
function fastThenParser(piece: string): { events: string[]; end: number } {
  const events: string[] = [];
  const end = leadingDataEvents(piece, { onEvent: (d) => events.push(d) });
  events.push(...parsed(piece.slice(end)));
  return { events, end };
}

describe("the data-events fast path of the SSE reading", () => {
  it("a piece of whole `data: ` events gives the parser's data, all of it on the fast path", () => {
    for (const piece of [
      'data: {"a":1}\n\n',
      "data:  two spaces\n\n",
      "data: \n\n",
      'data: {"text":"a: b"}\n\n',
      "data: a\n\ndata: b\n\n",
      'data: {"x":1}\n\ndata: {"x":2}\n\ndata: [DONE]\n\n',
      "",
    ]) {
      const { events, end } = fastThenParser(piece);
      expect(end).toBe(piece.length);
      expect(events).toEqual(parsed(piece));
    }
  });

  it("anything else is left to the parser, from the first part that is not such an event", () => {
    for (const [piece, fastEnd] of [
      ["data: a\n", 0], // partial event
      ["data: a", 0], // partial line
      ["data: a\r\n\r\n", 0], // CR line ends
      ["data: a\n\ndata: b\r\n\r\n", 0], // a CR anywhere: all to the parser
      ["data:a\n\n", 0], // no space: the parser's job
      ["event: error\ndata: x\n\n", 0], // another field
      [": comment\n\n", 0],
      ["\uFEFFdata: a\n\n", 0], // a byte-order mark
      ["data: a\ndata: b\n\n", 0], // two data lines
      ["data: a\n\ndata: b\n", 9], // a whole event, then a partial one
      ["data: a\n\nevent: error\ndata: x\n\n", 9],
      ["data: a\n\n: keep-alive\n\ndata: b\n\n", 9],
    ] as const) {
      const { events, end } = fastThenParser(piece);
      expect(end).toBe(fastEnd);
      expect(events).toEqual(parsed(piece));
    }
  });

  it("on random pieces, the fast path and then the parser give what the parser alone gives", () => {
    const parts = [
      "data: ",
      "data:",
      "x",
      '{"t":"a b"}',
      "\n",
      "\n\n",
      "\r",
      ": c",
      "event: e",
      " ",
      "[DONE]",
    ];
    const next = mulberry32(7);
    for (let k = 0; k < 3000; k++) {
      let piece = "";
      const n = 1 + Math.floor(next() * 12);
      for (let i = 0; i < n; i++) piece += parts[Math.floor(next() * parts.length)];
      expect(fastThenParser(piece).events).toEqual(parsed(piece));
    }
  });
});
