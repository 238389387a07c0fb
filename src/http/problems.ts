// The one registry of HTTP errors the service can answer, each in the spec's problem+json shape.
import type { Response } from "express";
import type { Schemas } from "../spec.js";

export type Problem = Schemas["Problem"];
export type FieldError = Schemas["FieldError"];

interface ProblemKind {
  readonly status: number;
  readonly type: Problem["type"];
  readonly title: string;
}

function kind(status: number, slug: string, title: string): ProblemKind {
  return { status, type: `urn:problem:registration-hook:${slug}` as Problem["type"], title };
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
  res: Response,
  key: ProblemKey,
  detail?: string,
  errors?: FieldError[],
): Response {
  const body = problemBody(key, detail, {
    instance: String(res.req.id ?? ""),
    ...(errors === undefined ? {} : { errors }),
  });
  return res.status(body.status).type("application/problem+json").send(JSON.stringify(body));
}
