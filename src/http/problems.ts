// The one registry of HTTP errors the service can answer, each in the spec's problem+json shape.
import type { ServerResponse } from "node:http";
import type { Schemas } from "../spec.js";
import type { Call } from "./call.js";
import { send } from "./respond.js";

export type Problem = Schemas["Problem"];
export type FieldError = Schemas["FieldError"];

const PREFIX = "urn:problem:registration-hook:";
/** The slugs the spec lists: a misspelt one does not compile. */
type Slug = Problem["type"] extends `${typeof PREFIX}${infer S}` ? S : never;

interface ProblemKind {
  readonly status: number;
  readonly type: Problem["type"];
  readonly title: string;
}

function kind(status: number, slug: Slug, title: string): ProblemKind {
  return { status, type: `${PREFIX}${slug}`, title };
}

export const PROBLEMS = {
  invalidRequest: kind(400, "invalid-request", "The request does not match the hook's contract"),
  malformedJson: kind(400, "malformed-json", "The request body is not valid JSON"),
  unauthorized: kind(401, "unauthorized", "Authentication failed"),
  notFound: kind(404, "not-found", "Not found"),
  methodNotAllowed: kind(405, "method-not-allowed", "Method not allowed"),
  payloadTooLarge: kind(413, "payload-too-large", "The request body is too large"),
  unsupportedMediaType: kind(415, "unsupported-media-type", "The request body must be JSON"),
  internalError: kind(500, "internal-error", "Internal error"),
  // Answered by the HTTP server itself, before any operation runs.
  badRequest: kind(400, "bad-request", "The HTTP request is malformed"),
  requestTimeout: kind(408, "request-timeout", "The request did not arrive in time"),
  headersTooLarge: kind(431, "headers-too-large", "The request headers are too large"),
} as const satisfies Record<string, ProblemKind>;

export type ProblemKey = keyof typeof PROBLEMS;

export function problemBody(
  key: ProblemKey,
  detail?: string,
  extra: { instance?: string; errors?: FieldError[] } = {},
): Problem {
  const { status, type, title } = PROBLEMS[key];
  return {
    type,
    title,
    status,
    ...(detail === undefined ? {} : { detail }),
    ...(extra.instance === undefined ? {} : { instance: extra.instance }),
    ...(extra.errors === undefined ? {} : { errors: extra.errors }),
  };
}

/** Answers with a problem; `instance` is the request id so a caller can quote it to an operator. */
export function sendProblem(
  res: ServerResponse,
  call: Call,
  key: ProblemKey,
  detail?: string,
  errors?: FieldError[],
  extraHeaders?: readonly string[],
): void {
  const body = problemBody(key, detail, {
    instance: call.id,
    ...(errors === undefined ? {} : { errors }),
  });
  send(res, call, body.status, "application/problem+json", JSON.stringify(body), extraHeaders);
}
