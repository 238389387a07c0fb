// The type every operation handler has, derived from the generated `operations` map.
import type { Request, Response } from "express";
import type { Context } from "openapi-backend";
import type { OperationId, RequestBodyOf } from "../spec.js";

export type OperationHandler<K extends OperationId> = (
  context: Context<RequestBodyOf<K>>,
  req: Request,
  res: Response,
) => unknown;

/** Exhaustive: a new operation in the spec without a handler here fails to compile. */
export type OperationHandlers = { readonly [K in OperationId]: OperationHandler<K> };
