// The operation handlers, one per operationId in the spec; the type makes the map exhaustive.
import type { Config } from "../config.js";
import { createRegistrationHook } from "./registrationHook.js";
import type { OperationHandlers } from "./types.js";

export function createHandlers(config: Config): OperationHandlers {
  return {
    registrationHook: createRegistrationHook(config),
  } satisfies OperationHandlers;
}
