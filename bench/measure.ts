// What `npm run bench` measures with: servers in processes of their own, short load windows from
// autocannon in this process, and per window the CPU each server used and the CPU that processes
// outside the benchmark took (read from /proc), so windows disturbed by the shared machine can be dropped.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import autocannon from "autocannon";

const CLOCK_TICKS_PER_SECOND = 100;

/** A server under test: its process, its port, what its start cost. */
export interface Target {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  /** Milliseconds from spawn to the first answered request. */
  readonly startMs: number;
  /** Milliseconds from spawn to the first 200 from its readiness path (startMs without one). */
  readonly readyMs: number;
  /** Seconds of CPU (user + system) the process has used so far. */
  cpuSeconds(): number;
  /** Resident memory now, in MiB. */
  rssMiB(): number;
  stop(): Promise<void>;
}

export interface TargetSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** A path answering 200 once every route is served (this service: /readyz). */
  readonly readyPath?: string;
}

/** A request the load sends; `check` must hold for the answer to count as a success. */
export interface LoadRequest {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}

function procStat(pid: number): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name is in parentheses and may hold spaces: split after it.
  return text.slice(text.lastIndexOf(")") + 2).split(" ");
}

/** CPU seconds of a process and its threads; fields 14 and 15 of /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number {
  const fields = procStat(pid);
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU seconds the machine's processes have been busy, plus time the hypervisor gave to other
 * guests (steal), from /proc/stat. Interrupt time is left out: on loopback it is mostly the
 * benchmark's own traffic, which no process is charged for.
 */
export function machineBusySeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [, user, nice, system, , , , , steal] = line.trim().split(/\s+/).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (steal ?? 0)) / CLOCK_TICKS_PER_SECOND;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
  return Math.round((kib / 1024) * 10) / 10;
}

/**
 * Spawns a target and waits for its first answer to `probe`, the time that took is its start; then,
 * for a target with a readiness path, for that path's first 200.
 */
export async function startTarget(spec: TargetSpec, probe: LoadRequest): Promise<Target> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env, PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
    // Its own process group, so that stopping `npm start` stops the node it started too.
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${spec.name} exited with ${child.exitCode}`);
    try {
      const res = await fetch(url + probe.path, {
        method: "POST",
        headers: probe.headers,
        body: probe.body,
      });
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
    if (performance.now() - started > 30_000) throw new Error(`${spec.name} did not answer`);
  }
  const startMs = Math.round(performance.now() - started);
  while (spec.readyPath !== undefined) {
    const res = await fetch(url + spec.readyPath).catch(() => undefined);
    await res?.arrayBuffer();
    if (res?.status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 2));
    if (performance.now() - started > 30_000) throw new Error(`${spec.name} did not get ready`);
  }
  const readyMs = Math.round(performance.now() - started);
  const pid = child.pid ?? 0;
  return {
    name: spec.name,
    child,
    url,
    startMs,
    readyMs,
    cpuSeconds: () => processCpuSeconds(pid),
    rssMiB: () => rssOf(pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once("exit", () => resolve());
        process.kill(-pid, "SIGTERM");
      }),
  };
}

export interface Window {
  readonly target: string;
  readonly connections: number;
  readonly requests: number;
  readonly errors: number;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** CPU the target used per answered request, in microseconds. */
  readonly cpuMicrosPerRequest: number;
  /** Cores that processes outside the benchmark kept busy during the window, on average. */
  readonly othersCores: number;
}

/** One load window against a target: autocannon for `seconds`, and the CPU accounting around it. */
export async function runWindow(
  target: Target,
  request: LoadRequest,
  connections: number,
  seconds: number,
): Promise<Window> {
  const machineBefore = machineBusySeconds();
  const targetBefore = target.cpuSeconds();
  const selfBefore = process.cpuUsage();
  const result = await autocannon({
    url: target.url + request.path,
    method: "POST",
    headers: request.headers,
    body: request.body,
    connections,
    duration: seconds,
  });
  const self = process.cpuUsage(selfBefore);
  const targetCpu = target.cpuSeconds() - targetBefore;
  const machine = machineBusySeconds() - machineBefore;
  const selfCpu = (self.user + self.system) / 1e6;
  const answered = result.requests.total;
  return {
    target: target.name,
    connections,
    requests: answered,
    errors: result.errors + result.timeouts + result.non2xx,
    requestsPerSecond: answered / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMicrosPerRequest: answered > 0 ? (targetCpu * 1e6) / answered : 0,
    othersCores: Math.max(0, machine - targetCpu - selfCpu) / seconds,
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
