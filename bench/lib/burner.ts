/**
 * The CPU burner of the accuracy scripts (bench/ab-accuracy.ts, bench/gate-accuracy.ts): one busy loop per
 * logical core in a child process, so that a capture runs under load the way a baseline captured on a busy CI
 * runner does. Stop it with `.kill("SIGKILL")`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import os from "node:os";

/** Starts one busy loop per logical core (worker threads of one child process). */
export function cpuBurner(): ChildProcess {
  const n = os.availableParallelism();
  const code = `const {Worker}=require("node:worker_threads");for(let i=1;i<${n};i++)new Worker("for(;;){}",{eval:true});for(;;){}`;
  return spawn(process.execPath, ["-e", code], { stdio: "ignore" });
}
