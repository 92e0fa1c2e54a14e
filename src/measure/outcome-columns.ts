import { BigColumn, CHUNK_BLOCK, Int32Column, Interned, NumberColumn, TextColumn } from "./columns.js";
import type { OutcomeKeeper } from "./load.js";
import type { ConnectionSetup, EmbeddingSuccess, GenerationSuccess, ServingOutcome } from "./requests.js";

/**
 * The records of a serving run's requests kept as columns while it runs (./columns.ts): each completed
 * generation or embeddings request becomes a row of numbers (its chunk times and sizes appended to run-wide
 * arrays, its text to one byte buffer), so that nothing of it stays on the collected heap; a failed request,
 * rare, stays the object it was. `take` gives back a record equal to the one kept, once the run is over.
 */

/** The kinds of row a slot names: its kind is `slot % KINDS`, its row `Math.floor(slot / KINDS)`. */
const GENERATION = 0;
const EMBEDDING = 1;
const OBJECT = 2;
const KINDS = 3;

/** A ConnectionSetup's flags: whether there is one, opened, tls. */
const HAS = 1;
const OPENED = 2;
const TLS = 4;

/** What every completed request has, as `RequestColumns` keeps and gives it back. */
interface Completed {
  ok: true;
  start_ns: bigint;
  end_ns: bigint;
  retries: number;
  connection?: ConnectionSetup;
}

/**
 * The columns of what every completed request has (start, end, retries, and its `connection`, absent when not
 * known): the rows of a generation or embeddings table are numbered by them.
 */
class RequestColumns {
  private readonly start = new BigColumn();
  private readonly end = new BigColumn();
  private readonly retries = new NumberColumn();
  private readonly flags = new NumberColumn();
  private readonly setup = new BigColumn();
  private readonly ready = new BigColumn();

  /** Adds a row; returns its number. */
  push(o: Completed): number {
    this.end.push(o.end_ns);
    this.retries.push(o.retries);
    const c = o.connection;
    this.flags.push(c ? HAS | (c.opened ? OPENED : 0) | (c.tls ? TLS : 0) : 0);
    this.setup.push(c?.setup_ns ?? null);
    this.ready.push(c?.ready_ns ?? null);
    return this.start.push(o.start_ns);
  }

  /** Row `i`'s common fields, to spread into its record. */
  get(i: number): Completed {
    const common: Completed = {
      ok: true,
      start_ns: this.start.get(i) as bigint,
      end_ns: this.end.get(i) as bigint,
      retries: this.retries.get(i),
    };
    const f = this.flags.get(i);
    if (f & HAS)
      common.connection = {
        opened: (f & OPENED) !== 0,
        tls: (f & TLS) !== 0,
        setup_ns: this.setup.get(i),
        ready_ns: this.ready.get(i),
      };
    return common;
  }
}

/** Completed generation requests, a row each. */
class GenerationRows {
  private readonly common = new RequestColumns();
  private readonly headers = new BigColumn();
  private readonly first = new BigColumn();
  /**
   * where each row's chunks begin in `times` and `chars`, and how many: both columns take the same runs in the
   * same blocks (CHUNK_BLOCK), so one position serves both
   */
  private readonly chunkAt = new NumberColumn();
  private readonly chunkCount = new NumberColumn();
  private readonly times = new BigColumn(CHUNK_BLOCK);
  private readonly chars = new Int32Column();
  private readonly textAt = new NumberColumn();
  private readonly textBytes = new NumberColumn();
  private readonly text = new TextColumn();
  /** usage's counts; NaN when no usage came */
  private readonly promptTokens = new NumberColumn();
  private readonly completionTokens = new NumberColumn();
  private readonly finish = new NumberColumn();
  private readonly finishNames = new Interned();
  private readonly done = new NumberColumn();

  /** Adds a row; returns its number. */
  push(o: GenerationSuccess): number {
    this.headers.push(o.headers_ns);
    this.first.push(o.first_token_ns);
    this.chunkAt.push(this.times.pushAll(o.chunk_times_ns));
    this.chunkCount.push(o.chunk_times_ns.length);
    this.chars.pushAll(o.chunk_chars);
    const [at, bytes] = this.text.push(o.text);
    this.textAt.push(at);
    this.textBytes.push(bytes);
    this.promptTokens.push(o.usage ? o.usage.prompt_tokens : Number.NaN);
    this.completionTokens.push(o.usage ? o.usage.completion_tokens : Number.NaN);
    this.finish.push(this.finishNames.id(o.finish_reason));
    this.done.push(o.done_marker ? 1 : 0);
    return this.common.push(o);
  }

  /** Row `i` as the record it was. */
  get(i: number): GenerationSuccess {
    const at = this.chunkAt.get(i);
    const count = this.chunkCount.get(i);
    const completion = this.completionTokens.get(i);
    return {
      ...this.common.get(i),
      headers_ns: this.headers.get(i) as bigint,
      first_token_ns: this.first.get(i),
      chunk_times_ns: this.times.slice(at, count),
      chunk_chars: this.chars.slice(at, count),
      text: this.text.get(this.textAt.get(i), this.textBytes.get(i)),
      usage: Number.isNaN(completion)
        ? null
        : { prompt_tokens: this.promptTokens.get(i), completion_tokens: completion },
      finish_reason: this.finishNames.value(this.finish.get(i)),
      done_marker: this.done.get(i) === 1,
    };
  }
}

/** Completed embeddings requests, a row each. */
class EmbeddingRows {
  private readonly common = new RequestColumns();
  private readonly inputs = new NumberColumn();
  private readonly digest = new NumberColumn();
  private readonly digests = new Interned();
  private readonly dimensions = new NumberColumn();
  /** NaN for null */
  private readonly promptTokens = new NumberColumn();

  push(o: EmbeddingSuccess): number {
    this.inputs.push(o.inputs);
    this.digest.push(this.digests.id(o.digest));
    this.dimensions.push(o.dimensions);
    this.promptTokens.push(o.prompt_tokens ?? Number.NaN);
    return this.common.push(o);
  }

  get(i: number): EmbeddingSuccess {
    const prompt = this.promptTokens.get(i);
    return {
      ...this.common.get(i),
      inputs: this.inputs.get(i),
      digest: this.digests.value(this.digest.get(i)) as string,
      dimensions: this.dimensions.get(i),
      prompt_tokens: Number.isNaN(prompt) ? null : prompt,
    };
  }
}

/**
 * The outcome keeper of serving runs (LoadPlan.keeper): completed requests as columns, failures as objects.
 * One per run; `take` is for after the run (it builds a new object per call).
 */
export class OutcomeColumns implements OutcomeKeeper<ServingOutcome> {
  private readonly generations = new GenerationRows();
  private readonly embeddings = new EmbeddingRows();
  private readonly objects: ServingOutcome[] = [];

  keep(o: ServingOutcome): number {
    if (!o.ok) return this.objects.push(o) * KINDS - KINDS + OBJECT;
    if ("chunk_times_ns" in o) return this.generations.push(o) * KINDS + GENERATION;
    return this.embeddings.push(o) * KINDS + EMBEDDING;
  }

  take(slot: number): ServingOutcome {
    const row = Math.floor(slot / KINDS);
    const kind = slot % KINDS;
    if (kind === GENERATION) return this.generations.get(row);
    if (kind === EMBEDDING) return this.embeddings.get(row);
    return this.objects[row] as ServingOutcome;
  }
}
