// The soak's attack phase, run from a child process beside the legitimate load: clients that never
// read their answers, pipelined floods, corrupt compressed bodies, unauthenticated deep bodies.
// It reports what it sent; the soak judges the service by its memory and its legitimate calls.
import { fork } from "node:child_process";
import { connect, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { BENCH_SECRET } from "./load.js";

const CHILD_FLAG = "--attack-child";

export interface AttackOptions {
  readonly url: string;
  readonly durationSeconds: number;
}

export interface AttackSummary {
  readonly connections: number;
  readonly requestsWritten: number;
}

function request(method: string, path: string, headers: Record<string, string>, body = ""): string {
  const lines = [`${method} ${path} HTTP/1.1`, "Host: attack.test"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (method === "POST") lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}

const DEEP = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
const CORRUPT_GZIP = Buffer.from(
  "\x1f\x8b\x08\x00this is not a gzip stream at all",
  "latin1",
).toString("latin1");

async function attack({ url, durationSeconds }: AttackOptions): Promise<AttackSummary> {
  const { hostname, port } = new URL(url);
  const deadline = Date.now() + durationSeconds * 1000;
  const sockets = new Set<Socket>();
  let connections = 0;
  let requestsWritten = 0;
  const open = (onConnect: (socket: Socket) => void, read: boolean) => {
    const socket = connect(Number(port), hostname, () => onConnect(socket));
    connections += 1;
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    if (read) socket.resume();
    else socket.pause();
    return socket;
  };
  const kinds = [
    // Never reads: 300 pipelined requests for the largest asset, per connection.
    () =>
      open((s) => {
        s.write(request("GET", "/docs/assets/swagger-ui-bundle.js", {}).repeat(300));
        requestsWritten += 300;
      }, false),
    // Pipelines unauthenticated hook calls, and never reads either.
    () =>
      open((s) => {
        s.write(
          request("POST", "/registrationHook", { "Content-Type": "application/json" }, "{}").repeat(
            300,
          ),
        );
        requestsWritten += 300;
      }, false),
    // Unauthenticated 10,000-level nested bodies, read.
    () =>
      open((s) => {
        s.write(
          request("POST", "/registrationHook", { "Content-Type": "application/json" }, DEEP).repeat(
            20,
          ),
        );
        requestsWritten += 20;
      }, true),
    // Authenticated corrupt gzip bodies, read.
    () =>
      open((s) => {
        const headers = {
          "Content-Type": "application/json",
          "Content-Encoding": "gzip",
          Authorization: BENCH_SECRET,
        };
        s.write(request("POST", "/registrationHook", headers, CORRUPT_GZIP).repeat(20));
        requestsWritten += 20;
      }, true),
  ];
  while (Date.now() < deadline) {
    // Keep about 80 hostile connections open, replacing the ones the service cut off.
    while (sockets.size < 80) for (const kind of kinds) kind();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const socket of sockets) socket.destroy();
  return { connections, requestsWritten };
}

/** Runs the attack from a child process for its duration; resolves with what it sent. */
export function runAttack(options: AttackOptions): Promise<AttackSummary> {
  const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (summary) => {
      resolve(summary as AttackSummary);
      child.disconnect();
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(new Error(`the attacker exited (${code}) without figures`)),
    );
    child.send(options);
  });
}

if (process.argv.includes(CHILD_FLAG)) {
  process.once("message", (options) => {
    attack(options as AttackOptions).then(
      (summary) => process.send?.(summary),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
  process.on("disconnect", () => process.exit(0));
}
