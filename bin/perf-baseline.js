#!/usr/bin/env node
// The perf-baseline CLI: runs the TypeScript sources through tsx (no build step to forget).
import { register } from "tsx/esm/api";

register();
const { runAndExit } = await import("../src/cli/main.ts");
runAndExit(process.argv.slice(2));
