import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The integration tests run the real engine; two cores cannot take them in parallel without noise.
    fileParallelism: false,
    pool: "forks",
  },
});
