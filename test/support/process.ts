// Runs the real entry point (src/server.ts) as a child process: a clean environment, its JSON log
// lines, the port it listens on, its exit, and bounded waits that fail with the child's output.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Variables the service reads; removed from the inherited environment so only the test's apply. */
const SERVICE_VARIABLES =
  /^(PORT|HOOK_|OAUTH_|ALLOWED_DOMAINS|FAIL_MODE|LOG_LEVEL|NODE_ENV|CONFIG_FILE|WORKERS|NODE_TEST_CONTEXT)/;

/** One pino line as the service writes it; `msg` and `level` are always there. */
export interface LogLine {
  readonly msg: string;
  readonly level: number;
  readonly [field: string]: unknown;
}

export interface ServerRun {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** The stdout lines that parse as JSON log lines, in order. */
  logs(): LogLine[];
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const running = new Set<ChildProcess>();

/**
 * Starts `node --import tsx src/server.ts` with PORT=0 and `env` over a cleaned environment, in
 * the repository or in `cwd` (a copy of the application laid out for the test).
 */
export function startServer(env: Record<string, string> = {}, cwd = ROOT): ServerRun {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !SERVICE_VARIABLES.test(name)),
  );
  const child = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], {
    cwd,
    env: { ...clean, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let text = "";
  let stdout = "";
  child.stdout?.setEncoding("utf8");
  child.stderr?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    text += chunk;
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk: string) => {
    text += chunk;
  });
  return {
    child,
    output: () => text,
    // pino writes to stdout; stderr is kept apart so its chunks cannot split a log line.
    logs: () => stdout.split("\n").flatMap(parseLogLine),
  };
}

function parseLogLine(line: string): LogLine[] {
  if (!line.startsWith("{")) return [];
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === "object" && value !== null && "msg" in value && "level" in value) {
      return [value as LogLine];
    }
  } catch {
    // A line still being written, or not a log line.
  }
  return [];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Kills the child (SIGKILL) and fails with `why` and everything the child wrote. */
export function failWithOutput(run: ServerRun, why: string): never {
  run.child.kill("SIGKILL");
  throw new Error(`${why}\n--- child output ---\n${run.output()}--- end ---`);
}

/**
 * Waits until at least `count` log lines whose message starts with `message` have appeared,
 * and returns them; fails after `timeoutMs`, or as soon as the child exits without them.
 */
export async function waitForLog(
  run: ServerRun,
  message: string,
  { count = 1, timeoutMs = 30_000 }: { count?: number; timeoutMs?: number } = {},
): Promise<LogLine[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = run.logs().filter((line) => line.msg.startsWith(message));
    if (found.length >= count) return found;
    if (hasExited(run)) {
      // The pipes may still hold the last lines: one more look once they have drained.
      await sleep(100);
      const last = run.logs().filter((line) => line.msg.startsWith(message));
      if (last.length >= count) return last;
      failWithOutput(run, `the server exited before logging "${message}" ${count} time(s)`);
    }
    if (Date.now() > deadline) {
      failWithOutput(run, `no "${message}" log line (${count} wanted) within ${timeoutMs} ms`);
    }
    await sleep(25);
  }
}

/** Polls `condition` until it holds; fails with `what` and the child's output after `timeoutMs`. */
export async function waitFor(
  run: ServerRun,
  condition: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) failWithOutput(run, `timed out after ${timeoutMs} ms: ${what}`);
    await sleep(10);
  }
}

/** Waits for "registration hook listening" and returns the port it names. */
export async function listeningPort(run: ServerRun, timeoutMs = 30_000): Promise<number> {
  const [line] = await waitForLog(run, "registration hook listening", { timeoutMs });
  const port = line?.port;
  if (typeof port !== "number") failWithOutput(run, "the listening line names no port");
  return port;
}

export function hasExited(run: ServerRun): boolean {
  return run.child.exitCode !== null || run.child.signalCode !== null;
}

/** The child's exit; fails (killing it) if it has not exited within `timeoutMs`. */
export async function exitOf(run: ServerRun, timeoutMs = 30_000): Promise<Exit> {
  const { child } = run;
  const exited = new Promise<Exit>((resolve) => {
    if (hasExited(run)) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const outcome = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (outcome === "timeout") failWithOutput(run, `the server did not exit within ${timeoutMs} ms`);
  // Let the pipes deliver what the child wrote last.
  await Promise.all(
    [child.stdout, child.stderr].map((stream) =>
      stream && !stream.readableEnded
        ? Promise.race([new Promise((resolve) => stream.once("end", resolve)), sleep(1_000)])
        : undefined,
    ),
  );
  return outcome;
}

/** Kills (SIGKILL) every child started here that is still running; for `after` hooks. */
export function killAllStarted(): void {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
}

/** A TCP port that was free a moment ago: listens on 0, notes the port, and closes. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== "object" || address === null) throw new Error("no port from listen(0)");
  return address.port;
}
