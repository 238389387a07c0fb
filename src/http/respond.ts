// Writes an answer in one writeHead: the constant API headers, the request id, the body's type and length.
import type { ServerResponse } from "node:http";
import type { OperationId, Operations } from "../spec.js";
import type { Call } from "./call.js";
import { API_HEADERS } from "./headers.js";

export function send(
  res: ServerResponse,
  call: Call,
  status: number,
  contentType: string,
  body: string,
  extraHeaders: readonly string[] = [],
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const headers = API_HEADERS.concat(
    "content-type",
    contentType,
    "content-length",
    String(Buffer.byteLength(body)),
    "x-request-id",
    call.id,
    extraHeaders,
  );
  res.writeHead(status, headers);
  res.end(body);
}

type JsonContent<T> = T extends { content: { "application/json": infer B } } ? B : never;

/**
 * A handler's JSON answer, typed from the generated responses: the body must be what the spec
 * documents for that operation and status, or the handler does not compile.
 */
export function reply<K extends OperationId, S extends keyof Operations[K]["responses"] & number>(
  res: ServerResponse,
  call: Call,
  _operation: K,
  status: S,
  body: JsonContent<Operations[K]["responses"][S]>,
): void {
  send(res, call, status, "application/json", JSON.stringify(body));
}

/** A body serialised ahead of time, for answers that never change. */
export function replySerialised<
  K extends OperationId,
  S extends keyof Operations[K]["responses"] & number,
>(
  res: ServerResponse,
  call: Call,
  _operation: K,
  status: S,
  text: Serialised<JsonContent<Operations[K]["responses"][S]>>,
): void {
  send(res, call, status, "application/json", text);
}

declare const serialisedOf: unique symbol;
/** A JSON string known to hold a T. */
export type Serialised<T> = string & { readonly [serialisedOf]: T };

export function serialise<T>(value: T): Serialised<T> {
  return JSON.stringify(value) as Serialised<T>;
}
