/**
 * Served names are resolved as the server resolves them: Ollama lists `llama3.2:latest` and serves
 * `llama3.2` as it (no tag means `:latest`); the result records the id that was sent.
 */
import { describe, expect, it } from "vitest";
import { findServed } from "../../src/engines/openai/identity.js";
import { runServingBenchmark } from "../../src/execute/serving.js";
import type { Script } from "../support/scripted-server.js";
import { generationOf, scriptedServerPerTest, servingOptions } from "../support/serving-fixtures.js";

const serve = scriptedServerPerTest();
const ok: Script = { kind: "stream", tokens: 8 };

describe("served names", () => {
  it("--model llama3.2 against Ollama's llama3.2:latest: runs, sends and records llama3.2:latest", async () => {
    const s = await serve(() => ok, { models: ["nomic-embed-text:latest", "llama3.2:latest"] });
    const r = generationOf(await runServingBenchmark(servingOptions(s.baseUrl, { model: "llama3.2" })));
    expect(r.serving?.requests).toMatchObject({ completed: 3, failed: 0 });
    const posts = s.requests.filter((q) => q.method === "POST");
    expect(posts.map((q) => q.body?.model)).toEqual([
      "llama3.2:latest",
      "llama3.2:latest",
      "llama3.2:latest",
    ]);
    expect(r.model.name).toBe("llama3.2:latest");
    expect(r.engine.details.requested_model).toBe("llama3.2");
  });

  it("an exact id wins; another tag is not :latest; a name already exact records no requested_model", async () => {
    const e = (...ids: string[]) => ids.map((id) => ({ id }));
    expect(findServed(e("llama3.2", "llama3.2:latest"), "llama3.2")?.id).toBe("llama3.2");
    expect(findServed(e("llama3.2:1b"), "llama3.2")).toBeNull();
    expect(findServed(e("llama3.2"), "llama3.2:latest")?.id).toBe("llama3.2");
    expect(findServed(e("llama3.2:latest"), "llama3.2:1b")).toBeNull();
    expect(findServed(e("reg:5000/m:latest"), "reg:5000/m")?.id).toBe("reg:5000/m:latest");
    expect(findServed(e("Qwen/Qwen2.5-0.5B-Instruct"), "Qwen/Qwen2.5-0.5B-Instruct")).not.toBeNull();
    const s = await serve(() => ok, { models: ["llama3.2:latest"] });
    const r = generationOf(
      await runServingBenchmark(servingOptions(s.baseUrl, { model: "llama3.2:latest", numRequests: 1 })),
    );
    expect(r.model.name).toBe("llama3.2:latest");
    expect(r.engine.details.requested_model).toBeUndefined();
  });

  it("a name served under another tag only: not served, one line listing what is", async () => {
    const s = await serve(() => ok, { models: ["llama3.2:1b"] });
    await expect(runServingBenchmark(servingOptions(s.baseUrl, { model: "llama3.2" }))).rejects.toThrow(
      /model "llama3.2" is not served by .* \(served: llama3.2:1b\)/,
    );
  });
});
