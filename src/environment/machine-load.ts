/**
 * Measures what else the machine does during a run: CPU time of the whole system (/proc/stat) minus this
 * process's (process.cpuUsage), over wall time, in cores. A busy machine slows a benchmark as a slower runtime
 * would; recording it lets the gate tell the two apart.
 */
import { readFileSync } from "node:fs";
import os from "node:os";

/** The machine load over an interval (the result's `machine_load` block). */
export interface MachineLoad {
  /** mean CPU cores used by other processes; null where /proc/stat is not available */
  other_cores: number | null;
  /** mean CPU cores used by this process */
  process_cores: number;
  /** 1-minute load average at the end */
  loadavg_1m: number;
  /** the interval, seconds */
  wall_s: number;
}

/**
 * The whole system's CPU time since boot, from /proc/stat's first line, in USER_HZ ticks (100 per second on
 * every Linux architecture Node runs on), in the file's order: user nice system idle iowait irq softirq steal
 * (guest time is already inside user); null if unavailable.
 */
export function systemCpuTicks(): number[] | null {
  try {
    const first = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
    if (!first.startsWith("cpu ")) return null;
    return first.trim().split(/\s+/).slice(1).map(Number);
  } catch {
    return null;
  }
}

/** Busy CPU seconds of the whole system since boot (systemCpuTicks); null if unavailable. */
export function systemBusySeconds(): number | null {
  const f = systemCpuTicks();
  if (f === null) return null;
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return (user + nice + system + irq + softirq + steal) / 100;
}

/**
 * Starts observing; the returned function ends the interval and reports it.
 * The resolution of /proc/stat is 10 ms per core, so intervals under a second are rough.
 */
export function startMachineLoadProbe(): () => MachineLoad {
  const sys0 = systemBusySeconds();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  return () => {
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const own = (cpu.user + cpu.system) / 1e6;
    const sys1 = systemBusySeconds();
    const other =
      sys0 === null || sys1 === null || wall <= 0 ? null : Math.max(0, (sys1 - sys0 - own) / wall);
    return {
      other_cores: other,
      process_cores: wall > 0 ? own / wall : 0,
      loadavg_1m: os.loadavg()[0] ?? 0,
      wall_s: wall,
    };
  };
}
