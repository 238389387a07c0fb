// The clients that reach the service over a real socket. `httpCall` is one call with node:http;
// `rawConnect` and `rawExchange` write hand-made HTTP bytes (pipelining, slow or broken framing)
// and read back every response on the wire. Either way, every answer is checked against the spec
// (test/support/spec.ts) before a test sees it.
import assert from "node:assert/strict";
import { once } from "node:events";
import { type Agent, type IncomingHttpHeaders, request } from "node:http";
import { connect, type Socket } from "node:net";
import { assertAnswerMatchesSpec, assertOutsideSpec, validateSchema } from "./spec.js";

export interface HttpCall {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** A keep-alive agent to reuse connections; a fresh connection otherwise. */
  readonly agent?: Agent;
  /** Fails the call when no whole answer came within this time. */
  readonly timeoutMs?: number;
  /**
   * The one opt-out, for routes outside the spec (`/openapi.json`, `/openapi.yaml`, `/docs*`):
   * asserts the path is one of them (and no 5xx came) instead of checking the answer.
   */
  readonly outsideSpec?: true;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON (throws when it is not). */
  json<T = unknown>(): T;
  /** The client's port, to tell connections apart. */
  readonly localPort: number | undefined;
  readonly reusedSocket: boolean;
}

/** One call to 127.0.0.1:`port` with node:http; the answer is checked against the spec. */
export function httpCall(
  port: number,
  { method = "GET", path, headers = {}, body, agent, timeoutMs = 10_000, outsideSpec }: HttpCall,
): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, method, agent: agent ?? false, headers: { ...headers } },
      (res) => {
        // Read now: a keep-alive agent detaches the socket once the answer has ended.
        const localPort = res.socket.localPort;
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          try {
            const type = res.headers["content-type"];
            if (outsideSpec) assertOutsideSpec({ path, status });
            else assertAnswerMatchesSpec({ method, path, status, contentType: type, text });
          } catch (error) {
            reject(error);
            return;
          }
          resolve({
            status,
            headers: res.headers,
            text,
            json: <T>() => JSON.parse(text) as T,
            localPort,
            reusedSocket: req.reusedSocket,
          });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

export interface RawResponse {
  readonly status: number;
  /** The status line and headers as received. */
  readonly head: string;
  /** Header names lower-cased; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, decoded from UTF-8 (de-chunked if it came chunked). */
  readonly body: string;
  /** The request it answers, when the bytes sent had a request line for it. */
  readonly request?: { readonly method: string; readonly path: string };
}

const CRLF2 = "\r\n\r\n";
const REQUEST_LINE = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/;

function headerMap(lines: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    map[name] = map[name] === undefined ? value : `${map[name]}, ${value}`;
  }
  return map;
}

/** A chunked body from `at`: the decoded body and where it ends, or undefined if incomplete. */
function dechunk(text: string, at: number): { body: string; end: number } | undefined {
  let body = "";
  let i = at;
  for (;;) {
    const lineEnd = text.indexOf("\r\n", i);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(text.slice(i, lineEnd).split(";")[0] ?? "", 16);
    if (Number.isNaN(size)) return undefined;
    i = lineEnd + 2;
    if (size === 0) {
      // Trailers, if any, end with an empty line.
      if (text.startsWith("\r\n", i)) return { body, end: i + 2 };
      const trailersEnd = text.indexOf(CRLF2, i);
      return trailersEnd < 0 ? undefined : { body, end: trailersEnd + 4 };
    }
    if (text.length < i + size + 2) return undefined;
    body += text.slice(i, i + size);
    i += size + 2;
  }
}

interface Message {
  readonly firstLine: string;
  readonly headLines: readonly string[];
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Splits HTTP/1.1 messages (latin1 text) in order; `bodyless(first line)` says which have no
 * body whatever their headers. A message without a length runs to the end once `complete`.
 * The last, incomplete message is returned as `partial` (its first line, when there is one).
 */
function splitMessages(
  text: string,
  complete: boolean,
  bodyless: (firstLine: string) => boolean,
): { messages: Message[]; partial?: string } {
  const messages: Message[] = [];
  let rest = text;
  while (rest !== "") {
    const headEnd = rest.indexOf(CRLF2);
    if (headEnd < 0) {
      const firstLine = rest.split("\r\n")[0] ?? "";
      return rest.includes("\r\n") ? { messages, partial: firstLine } : { messages };
    }
    const [firstLine = "", ...headLines] = rest.slice(0, headEnd).split("\r\n");
    const headers = headerMap(headLines);
    const start = headEnd + 4;
    let body = "";
    let end = start;
    if (!bodyless(firstLine)) {
      if (/\bchunked\b/i.test(headers["transfer-encoding"] ?? "")) {
        const chunked = dechunk(rest, start);
        if (!chunked) return { messages, partial: firstLine };
        body = chunked.body;
        end = chunked.end;
      } else if (headers["content-length"] !== undefined) {
        end = start + Number(headers["content-length"]);
        if (rest.length < end) return { messages, partial: firstLine };
        body = rest.slice(start, end);
      } else if (firstLine.startsWith("HTTP/")) {
        // A response without a length runs to the end of the connection.
        if (!complete) return { messages, partial: firstLine };
        body = rest.slice(start);
        end = rest.length;
      }
    }
    messages.push({ firstLine, headLines, headers, body });
    rest = rest.slice(end);
  }
  return { messages };
}

/** The request line of each request in the bytes sent, in order (the last possibly incomplete). */
function requestsIn(sent: string): ({ method: string; path: string } | undefined)[] {
  const { messages, partial } = splitMessages(sent, false, () => false);
  return [...messages.map((m) => m.firstLine), ...(partial === undefined ? [] : [partial])].map(
    (line) => {
      const match = REQUEST_LINE.exec(line);
      return match?.[1] && match[2] ? { method: match[1], path: match[2] } : undefined;
    },
  );
}

function checkRaw(response: RawResponse): void {
  const contentType = response.headers["content-type"];
  if (response.request) {
    assertAnswerMatchesSpec({
      ...response.request,
      status: response.status,
      contentType,
      text: response.body,
    });
    return;
  }
  // No request line to tie it to an operation (bytes that are not HTTP): it must be a problem.
  const where = `an answer to bytes with no request line (${response.status})`;
  assert.match(contentType ?? "", /^application\/problem\+json\b/, `${where}: content type`);
  const problem: unknown = JSON.parse(response.body);
  assert.deepEqual(validateSchema("Problem", problem), [], `${where}: ${response.body}`);
  assert.equal((problem as { status?: unknown }).status, response.status, where);
}

export interface RawConnection {
  readonly socket: Socket;
  /** Sends bytes as they are. */
  write(bytes: string | Buffer): void;
  /** Sends the last bytes and half-closes. */
  end(bytes?: string | Buffer): void;
  /** Everything received so far, as latin1 text. */
  received(): string;
  readonly closed: boolean;
  /** Resolves when the server has closed the connection (or it was destroyed). */
  readonly whenClosed: Promise<void>;
  /**
   * Every complete response received so far, matched in order to the requests written, each
   * checked against the spec (interim 1xx answers are left out).
   */
  responses(): RawResponse[];
  destroy(): void;
}

/** Opens a TCP connection to 127.0.0.1:`port` for hand-written HTTP. */
export async function rawConnect(port: number): Promise<RawConnection> {
  const socket = connect(port, "127.0.0.1");
  let sent = "";
  let received = "";
  let closed = false;
  socket.on("data", (chunk: Buffer) => {
    received += chunk.toString("latin1");
  });
  // A reset after the server gave up counts as being closed, like a clean close.
  socket.on("error", () => {});
  const whenClosed = once(socket, "close").then(() => {
    closed = true;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const asText = (bytes: string | Buffer) =>
    typeof bytes === "string"
      ? Buffer.from(bytes, "utf8").toString("latin1")
      : bytes.toString("latin1");
  return {
    socket,
    write(bytes) {
      sent += asText(bytes);
      socket.write(bytes);
    },
    end(bytes) {
      if (bytes !== undefined) sent += asText(bytes);
      if (bytes === undefined) socket.end();
      else socket.end(bytes);
    },
    received: () => received,
    get closed() {
      return closed;
    },
    whenClosed,
    responses() {
      const requests = requestsIn(sent);
      const { messages } = splitMessages(received, closed, (line) =>
        /^HTTP\/1\.[01] (1\d\d|204|304) /.test(line),
      );
      const finals = messages.filter((m) => !/^HTTP\/1\.[01] 1\d\d /.test(m.firstLine));
      return finals.map((m, i) => {
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(m.firstLine)?.[1]);
        assert.ok(status > 0, `not an HTTP response: ${m.firstLine}`);
        const request = requests[i];
        const response: RawResponse = {
          status,
          head: [m.firstLine, ...m.headLines].join("\r\n"),
          headers: m.headers,
          body: Buffer.from(m.body, "latin1").toString("utf8"),
          ...(request === undefined ? {} : { request }),
        };
        checkRaw(response);
        return response;
      });
    },
    destroy: () => socket.destroy(),
  };
}

/**
 * Writes `bytes` on a new connection, half-closes it, waits until the server closes it, and
 * returns every response it sent, each checked against the spec.
 */
export async function rawExchange(
  port: number,
  bytes: string | Buffer,
  { timeoutMs = 10_000 } = {},
): Promise<RawResponse[]> {
  const connection = await rawConnect(port);
  connection.end(bytes);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    connection.destroy();
  }, timeoutMs);
  await connection.whenClosed;
  clearTimeout(timer);
  assert.ok(!timedOut, `the server kept the connection open over ${timeoutMs} ms`);
  return connection.responses();
}
