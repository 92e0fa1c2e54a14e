import { createParser } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { singleDataEvent } from "../../src/engines/openai/client.js";

/** What eventsource-parser dispatches for a text fed in one piece: the data of each event. */
function parsed(text: string): string[] {
  const out: string[] = [];
  createParser({ onEvent: (e) => out.push(e.data) }).feed(text);
  return out;
}

describe("the one-event fast path of the SSE reading", () => {
  it("a piece that is one `data: ` event gives the parser's data", () => {
    for (const piece of [
      'data: {"a":1}\n\n',
      "data:  two spaces\n\n",
      "data: \n\n",
      'data: {"text":"a: b"}\n\n',
    ]) {
      expect(singleDataEvent(piece)).toBe(parsed(piece)[0]);
    }
  });

  it("anything else goes to the parser", () => {
    for (const piece of [
      "data: a\n\ndata: b\n\n", // two events
      "data: a\n", // partial event
      "data: a", // partial line
      "data: a\r\n\r\n", // CR line ends
      "data:a\n\n", // no space: the parser's job
      "event: error\ndata: x\n\n", // another field
      ": comment\n\n",
      "\uFEFFdata: a\n\n", // a byte-order mark
      "data: a\ndata: b\n\n", // two data lines
      "data: a\rb\n\n", // a CR inside
    ])
      expect(singleDataEvent(piece)).toBeNull();
  });
});
