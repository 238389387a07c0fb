// The bundled OpenAPI document (generated/openapi.json) and aliases of the types generated from it.
import { readFileSync } from "node:fs";
import type { Document } from "openapi-backend";
import type { components, operations } from "../generated/openapi.js";
import { SPEC_URL } from "./paths.js";

export type Schemas = components["schemas"];
export type Operations = operations;
export type OperationId = keyof operations;

type JsonContent<T> = T extends { content: { "application/json": infer B } } ? B : never;

/** The JSON body an operation takes; `undefined` for one that takes none. */
export type RequestBodyOf<K extends OperationId> = [
  NonNullable<operations[K]["requestBody"]>,
] extends [never]
  ? undefined
  : JsonContent<operations[K]["requestBody"]>;
export type ResponseBodyOf<
  K extends OperationId,
  S extends keyof operations[K]["responses"],
> = JsonContent<operations[K]["responses"][S]>;

export type RegistrationHookRequest = Schemas["RegistrationHookRequest"];
export type RegistrationHookResponse = Schemas["RegistrationHookResponse"];
export type SubmittedProfile = Schemas["SubmittedProfile"];
export type ErrorCause = Schemas["ErrorCause"];

/** Reads the bundled document; done once at start-up. */
export function loadSpec(): Document {
  return JSON.parse(readFileSync(SPEC_URL, "utf8")) as Document;
}
