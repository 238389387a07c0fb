// The type every operation handler has, derived from the generated `operations` map.
import type { ServerResponse } from "node:http";
import type { Call } from "../http/call.js";
import type { OperationId, RequestBodyOf } from "../spec.js";

/** What a handler is given: the validated body (undefined for an operation without one). */
export interface OperationInput<K extends OperationId> {
  readonly body: RequestBodyOf<K>;
}

export type OperationHandler<K extends OperationId> = (
  input: OperationInput<K>,
  res: ServerResponse,
  call: Call,
) => void | Promise<void>;

/** Exhaustive: a new operation in the spec without a handler here fails to compile. */
export type OperationHandlers = { readonly [K in OperationId]: OperationHandler<K> };
