import { describe, expect, it } from "vitest";
import { BigColumn, NumberColumn, TextColumn } from "../../src/measure/columns.js";
import { runLoad } from "../../src/measure/load.js";
import { OutcomeColumns } from "../../src/measure/outcome-columns.js";
import type {
  ConnectionSetup,
  EmbeddingSuccess,
  GenerationSuccess,
  RequestFailure,
  ServingOutcome,
} from "../../src/measure/requests.js";
import { mulberry32 } from "../../src/util/prng.js";

/** Synthetic serving outcomes of every shape a client returns, drawn from a seeded generator. */
function outcomes(seed: number, count: number): ServingOutcome[] {
  const rng = mulberry32(seed);
  const int = (n: number) => Math.floor(rng() * n);
  const ns = () => 10n ** 12n + BigInt(int(1e9));
  const connection = (): ConnectionSetup | undefined => {
    const k = int(4);
    if (k === 0) return undefined;
    if (k === 1) return { opened: false, tls: false, setup_ns: null, ready_ns: null };
    return { opened: true, tls: k === 3, setup_ns: BigInt(int(1e6)), ready_ns: k === 2 ? ns() : null };
  };
  const words = ["a", "é", "日本", "🙂", " ", "tok", ""];
  const out: ServingOutcome[] = [];
  for (let i = 0; i < count; i++) {
    const kind = int(3);
    const conn = connection();
    if (kind === 0) {
      // chunk counts from 0 up to past a block of chunk times (65,536), now and then
      const chunks = int(400) === 0 ? 70_000 + int(1000) : int(160);
      const times = new BigInt64Array(chunks);
      for (let c = 0; c < chunks; c++) times[c] = ns();
      const pieces = Array.from({ length: chunks }, () => words[int(words.length)] as string);
      const g: GenerationSuccess = {
        ok: true,
        start_ns: ns(),
        headers_ns: ns(),
        first_token_ns: chunks === 0 ? null : (times[0] as bigint),
        end_ns: ns(),
        chunk_times_ns: times,
        chunk_chars: pieces.map((p) => p.length),
        text: pieces.join(""),
        usage: int(3) === 0 ? null : { prompt_tokens: int(500), completion_tokens: int(500) },
        finish_reason: [null, "stop", "length", "eos_token"][int(4)] as string | null,
        done_marker: int(2) === 0,
        retries: int(2),
        ...(conn ? { connection: conn } : {}),
      };
      out.push(g);
    } else if (kind === 1) {
      const e: EmbeddingSuccess = {
        ok: true,
        start_ns: ns(),
        end_ns: ns(),
        inputs: 1 + int(8),
        digest: ["d1", "d2", `d${i}`][int(3)] as string,
        dimensions: 384,
        prompt_tokens: int(2) === 0 ? null : int(900),
        retries: int(2),
        ...(conn ? { connection: conn } : {}),
      };
      out.push(e);
    } else {
      const f: RequestFailure = {
        ok: false,
        cause: "http_503",
        detail: `busy ${i}`,
        status: 503,
        start_ns: ns(),
        end_ns: ns(),
        retries: 0,
        ...(conn ? { connection: conn } : {}),
      };
      out.push(f);
    }
  }
  return out;
}

describe("OutcomeColumns", () => {
  it("gives back every outcome equal to the one kept, across blocks", () => {
    const kept = outcomes(5, 4000);
    // the draw holds a stream longer than a block of chunk times, and enough chunks to fill several blocks
    const chunks = kept.map((o) => (o.ok && "chunk_times_ns" in o ? o.chunk_times_ns.length : 0));
    expect(Math.max(...chunks)).toBeGreaterThan(65_536);
    const regular = chunks.filter((n) => n <= 65_536);
    expect(regular.reduce((a, b) => a + b, 0)).toBeGreaterThan(65_536);
    const columns = new OutcomeColumns();
    const slots = kept.map((o) => columns.keep(o));
    expect(new Set(slots).size).toBe(slots.length);
    for (let i = 0; i < kept.length; i++) {
      const back = columns.take(slots[i] as number);
      expect(back).toEqual(kept[i]);
      // a field that was absent stays absent (not undefined)
      expect("connection" in back).toBe("connection" in (kept[i] as object));
    }
  });

  it("runLoad with the columns gives the same records as with the objects", async () => {
    const kept = outcomes(9, 300);
    const send = async (i: number) => kept[i] as ServingOutcome;
    const plan = { concurrency: 8, requestRate: null, numRequests: kept.length, durationS: null };
    const asObjects = await runLoad<ServingOutcome>(plan, send);
    const asColumns = await runLoad<ServingOutcome>({ ...plan, keeper: new OutcomeColumns() }, send);
    const strip = (r: (typeof asObjects.records)[number]) => ({ index: r.index, outcome: r.outcome });
    expect(asColumns.records.map(strip)).toEqual(asObjects.records.map(strip));
    expect(asColumns.records.map(strip)).toEqual(kept.map((outcome, index) => ({ index, outcome })));
  });
});

describe("columns", () => {
  it("keep values across block boundaries; null and a run longer than a block", () => {
    const big = new BigColumn();
    const num = new NumberColumn();
    for (let i = 0; i < 10_000; i++) {
      expect(big.push(i % 7 === 0 ? null : BigInt(i) * 1_000_000_007n)).toBe(i);
      expect(num.push(i / 3)).toBe(i);
    }
    num.set(9_999, -1);
    for (let i = 0; i < 10_000; i++) {
      expect(big.get(i)).toBe(i % 7 === 0 ? null : BigInt(i) * 1_000_000_007n);
      expect(num.get(i)).toBe(i === 9_999 ? -1 : i / 3);
    }
    const runs = new BigColumn(16);
    const a = runs.pushAll(new BigInt64Array([1n, 2n, 3n]));
    const b = runs.pushAll(new BigInt64Array(40).fill(9n));
    const c = runs.pushAll(new BigInt64Array([4n, 5n]));
    expect([...runs.slice(a, 3)]).toEqual([1n, 2n, 3n]);
    expect([...runs.slice(b, 40)]).toEqual(Array(40).fill(9n));
    expect([...runs.slice(c, 2)]).toEqual([4n, 5n]);
  });

  it("text: any string back as it went in, the reserve for UTF-8 given back", () => {
    const text = new TextColumn();
    const samples = ["", "ascii", "é", "日本語", "🙂🙂", "x".repeat(3_000_000), "tail"];
    const places = samples.map((s) => text.push(s));
    samples.forEach((s, i) => {
      const [at, bytes] = places[i] as [number, number];
      expect(bytes).toBe(Buffer.byteLength(s));
      expect(text.get(at, bytes)).toBe(s);
    });
    // the strings after a short one sit right after its bytes (the unused reserve was given back)
    const [at1, bytes1] = places[1] as [number, number];
    expect((places[2] as [number, number])[0]).toBe(at1 + bytes1);
  });
});
