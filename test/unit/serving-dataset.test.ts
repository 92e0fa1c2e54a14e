import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/util/errors.js";
import { readDataset, sampleConversations, turnMessages } from "../../src/workload/dataset.js";

const SHAREGPT = "test/fixtures/serving/sharegpt-sample.json";
const dir = mkdtempSync(join(tmpdir(), "perf-baseline-dataset-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe("datasets", () => {
  it("reads the ShareGPT sample: one conversation of three turns, each with its recorded answer", () => {
    const d = readDataset(SHAREGPT);
    expect(d.format).toBe("sharegpt");
    expect(d.conversations).toHaveLength(1);
    const c = d.conversations[0];
    expect(c?.turns).toHaveLength(3);
    expect(c?.turns[0]?.user).toMatch(/^Why does `dir` command in DOS/);
    const third = turnMessages(c as NonNullable<typeof c>, 2);
    expect(third.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "user"]);
    expect(third[4]?.content).toMatch(/^Well no/);
    expect(d.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reads JSON Lines of prompts and of messages (a system message leads the history)", () => {
    const p = file(
      "mixed.jsonl",
      [
        '{"prompt": "first prompt"}',
        "",
        '{"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}, {"role": "user", "content": "again"}]}',
      ].join("\n"),
    );
    const d = readDataset(p);
    expect(d.format).toBe("jsonl");
    expect(d.conversations.map((c) => c.turns.length)).toEqual([1, 2]);
    expect(turnMessages(d.conversations[1] as never, 1)).toEqual([
      { role: "system", content: "be brief" },
      { role: "user", content: "hi" },
      { role: "assistant", content: "hello" },
      { role: "user", content: "again" },
    ]);
  });

  it("bad datasets: one line naming the file and what is wrong", () => {
    const cases: Array<[string, RegExp]> = [
      [file("bad.json", "[{"), /not valid JSON/],
      [file("bad.jsonl", '{"prompt": "a"}\nnot json'), /line 2 is not JSON/],
      [file("shape.jsonl", '{"text": "a"}'), /line 1 is neither \{"prompt": "..."\} nor/],
      [file("shape.json", '[{"conversation": []}]'), /entry 1 has no conversations array/],
      [file("empty.jsonl", "\n\n"), /holds no conversation with a user turn \(0 entries\)/],
      [
        file("gpt-only.json", '[{"conversations": [{"from": "gpt", "value": "x"}]}]'),
        /no conversation with a user turn/,
      ],
      [join(dir, "missing.json"), /file not found/],
    ];
    for (const [p, msg] of cases) {
      expect(() => readDataset(p)).toThrow(UsageError);
      expect(() => readDataset(p)).toThrow(msg);
      expect(() => readDataset(p)).toThrow(
        new RegExp(`^--dataset ${p.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: `),
      );
    }
    const big = file("big.jsonl", `${'{"prompt": "x"}\n'.repeat(100)}`);
    expect(() => readDataset(big, 1000)).toThrow(/more than 1000 bytes: too large for a dataset/);
  });

  it("samples with a seed: a shuffle of every conversation, passes repeated when more are needed", () => {
    const a = sampleConversations(5, 12, 3);
    expect(a).toEqual(sampleConversations(5, 12, 3));
    expect(a).not.toEqual(sampleConversations(5, 12, 4));
    expect(new Set(a.slice(0, 5))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(new Set(a.slice(5, 10))).toEqual(new Set([0, 1, 2, 3, 4]));
  });
});
