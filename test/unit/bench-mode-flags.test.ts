/** `bench` refuses a flag that does not apply to its mode instead of ignoring it (from a new-user walkthrough). */
import { describe, expect, it } from "vitest";
import { benchCommand } from "../../src/cli/commands/bench.js";
import { UsageError } from "../../src/util/errors.js";

describe("bench flags of the other mode", () => {
  it("--max-new-tokens with --mode embedding is one usage line, before anything runs", async () => {
    const run = benchCommand.run({ mode: "embedding", "max-new-tokens": "8" }, []);
    await expect(run).rejects.toThrow(UsageError);
    await expect(benchCommand.run({ mode: "embedding", "max-new-tokens": "8" }, [])).rejects.toThrow(
      "--max-new-tokens applies to --mode generation (an embedding call generates nothing)",
    );
  });
});
