// Checks an HTTP answer against what the bundled OpenAPI document promises: the status is
// documented for the operation, the content type is one it lists, and the body matches the
// schema (Ajv draft-07, the component schemas as definitions). Used by the preview CLI and
// by the tests, independently of the validator the app serves requests with.
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import ajvFormats from "ajv-formats";
import { SPEC_PATH } from "../spec.js";

export interface MediaObject {
  schema?: { $ref?: string } & Record<string, unknown>;
  examples?: Record<string, { $ref: string }>;
}
export interface ResponseObject {
  $ref?: string;
  description?: string;
  content?: Record<string, MediaObject>;
}
export interface OperationObject {
  operationId: string;
  requestBody?: { content: Record<string, MediaObject> };
  responses: Record<string, ResponseObject>;
}
/** The parts of an OpenAPI 3.0 document the checks read. */
export interface SpecDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components: {
    schemas: Record<string, object>;
    responses: Record<string, ResponseObject>;
    examples: Record<string, { value: unknown }>;
  };
}

/** An answer as it came over the wire. */
export interface ObservedResponse {
  readonly method: string;
  /** The operation's path as the spec writes it (no base path, no query). */
  readonly path: string;
  readonly status: number;
  /** The whole Content-Type header, parameters included; absent when none came. */
  readonly contentType?: string | undefined;
  /** The raw body; empty when none came. */
  readonly text: string;
}

export interface ContractCheck {
  /** True when the answer is one the spec documents, body included. */
  readonly ok: boolean;
  /** Each way the answer breaks the contract, in plain words; empty when `ok`. */
  readonly violations: readonly string[];
  /** The operation that was called, when the spec has one at that method and path. */
  readonly operationId?: string;
  /** The documented response the answer was checked against (`#/components/responses/X` named X). */
  readonly response?: string;
  /** The media type of the answer, without parameters, lower-cased. */
  readonly mediaType?: string;
  /** The component schema the body was checked against, when it is a named one. */
  readonly schema?: string;
  /** The parsed body (JSON) or the text; undefined when there was none or it did not parse. */
  readonly body?: unknown;
}

export interface ResponseContract {
  readonly document: SpecDocument;
  /** Every operation the document declares, by id. */
  readonly operations: ReadonlyMap<string, { readonly method: string; readonly path: string }>;
  /** A compiled validator for a schema of the document (refs to component schemas resolved). */
  validatorFor(schema: object): ValidateFunction;
  /** Validates a value against a named component schema; one message per failure. */
  validateSchema(name: string, value: unknown): readonly string[];
  /** Ajv's errors in one line each, `body/commands/0 must ...`. */
  describeErrors(errors: readonly ErrorObject[] | null | undefined, root?: string): string[];
  /** Checks a whole answer: status, content type, body. */
  check(answer: ObservedResponse): ContractCheck;
}

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const SCHEMAS_ID = "urn:spec:schemas";
const SCHEMA_REF = "#/components/schemas/";
const RESPONSE_REF = "#/components/responses/";
/** OpenAPI 3.0 schema keywords that JSON Schema draft-07 does not know; annotations only. */
const OPENAPI_ANNOTATIONS = ["example", "externalDocs", "xml"];

/** Reads the bundled document (generated/openapi.json). */
export function readSpecDocument(url: URL = SPEC_PATH): SpecDocument {
  return JSON.parse(readFileSync(url, "utf8")) as SpecDocument;
}

/** `x-` extension keys used anywhere in the schemas, so that strict Ajv tolerates them. */
function extensionKeywords(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) extensionKeywords(item, found);
  } else if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (key.startsWith("x-")) found.add(key);
      extensionKeywords(child, found);
    }
  }
  return found;
}

function mediaTypeOf(header: string | undefined): string {
  return (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** The documented media type an answer's type falls under: exact, then `type/*`, then `*\/*`. */
function matchMedia(
  content: Record<string, MediaObject>,
  mediaType: string,
): MediaObject | undefined {
  const byType = new Map(Object.entries(content).map(([k, v]) => [k.toLowerCase(), v]));
  const [major] = mediaType.split("/");
  return byType.get(mediaType) ?? byType.get(`${major}/*`) ?? byType.get("*/*");
}

function isJsonMediaType(mediaType: string): boolean {
  return mediaType === "application/json" || mediaType.endsWith("+json");
}

function unescapePointer(segment: string): string {
  return segment.replaceAll("~1", "/").replaceAll("~0", "~");
}

/** Builds the checks over a document; every schema is compiled once, on first use. */
export function createResponseContract(
  document: SpecDocument = readSpecDocument(),
): ResponseContract {
  const ajv = new Ajv({ strict: true, allErrors: true, discriminator: true });
  ajvFormats.default(ajv);
  for (const keyword of [...OPENAPI_ANNOTATIONS, ...extensionKeywords(document.components)]) {
    ajv.addKeyword(keyword);
  }
  // Component schemas become draft-07 definitions; refs are rewritten to point at them.
  const rewrite = <T>(value: T): T =>
    JSON.parse(
      JSON.stringify(value).replaceAll(`"${SCHEMA_REF}`, `"${SCHEMAS_ID}#/definitions/`),
    ) as T;
  ajv.addSchema({ $id: SCHEMAS_ID, definitions: rewrite(document.components.schemas) });

  const compiled = new WeakMap<object, ValidateFunction>();
  const named = new Map<string, ValidateFunction>();

  function validatorFor(schema: object): ValidateFunction {
    let validate = compiled.get(schema);
    if (!validate) {
      validate = ajv.compile(rewrite(schema));
      compiled.set(schema, validate);
    }
    return validate;
  }

  function namedValidator(name: string): ValidateFunction {
    let validate = named.get(name);
    if (!validate) {
      validate = validatorFor({ $ref: `${SCHEMA_REF}${name}` });
      named.set(name, validate);
    }
    return validate;
  }

  function describeErrors(errors: readonly ErrorObject[] | null | undefined, root = ""): string[] {
    const lines = (errors ?? []).map((e) => {
      const pointer = e.instancePath.split("/").slice(1).map(unescapePointer);
      const where = [root, ...pointer].filter(Boolean).join("/") || "(the whole value)";
      const params = e.params as Record<string, unknown>;
      let detail = e.message ?? e.keyword;
      if (e.keyword === "additionalProperties") {
        detail += ` (${String(params.additionalProperty)})`;
      } else if (e.keyword === "enum") {
        detail += ` (${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")})`;
      }
      return `${where} ${detail}`;
    });
    return [...new Set(lines)];
  }

  function validateSchema(name: string, value: unknown): readonly string[] {
    const validate = namedValidator(name);
    return validate(value)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  }

  const operations = new Map(
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => HTTP_METHODS.includes(method))
        .map(([method, op]) => [op.operationId, { method, path }] as const),
    ),
  );

  function resolve(response: ResponseObject): { name?: string; response?: ResponseObject } {
    if (!response.$ref) return { response };
    if (!response.$ref.startsWith(RESPONSE_REF)) return {};
    const name = response.$ref.slice(RESPONSE_REF.length);
    const target = document.components.responses[name];
    return target ? { name, response: target } : { name };
  }

  function check(answer: ObservedResponse): ContractCheck {
    const method = answer.method.toLowerCase();
    const call = `${method.toUpperCase()} ${answer.path}`;
    const { status } = answer;
    const item = document.paths[answer.path];
    const op = HTTP_METHODS.includes(method) ? item?.[method] : undefined;
    const operationId = op?.operationId;
    const base = operationId === undefined ? {} : { operationId };
    const broken = (violation: string, extra: Partial<ContractCheck> = {}): ContractCheck => ({
      ...base,
      ...extra,
      ok: false,
      violations: [violation],
    });

    let documented: ResponseObject | undefined;
    let responseName: string | undefined;
    if (op) {
      const entry =
        op.responses[String(status)] ??
        op.responses[`${String(status).charAt(0)}XX`] ??
        op.responses.default;
      if (!entry) {
        const listed = Object.keys(op.responses).join(", ");
        return broken(
          `${call} answered ${status}, which the spec does not document (documented: ${listed})`,
        );
      }
      const resolved = resolve(entry);
      if (!resolved.response) {
        return broken(`${call} ${status} refers to ${entry.$ref}, which the spec does not define`);
      }
      documented = resolved.response;
      responseName = resolved.name;
    } else {
      // No operation: the shared problem responses document what the service answers.
      const expected = item ? 405 : 404;
      if (status !== expected) {
        return broken(
          `${call} answered ${status}; with no operation there it should answer ${expected}`,
        );
      }
      responseName = item ? "MethodNotAllowed" : "NotFound";
      documented = document.components.responses[responseName];
      if (!documented) return broken(`the spec does not define the ${responseName} response`);
    }
    const named = responseName === undefined ? base : { ...base, response: responseName };

    const mediaType = mediaTypeOf(answer.contentType);
    const withType = mediaType === "" ? named : { ...named, mediaType };
    if (!documented.content || Object.keys(documented.content).length === 0) {
      return answer.text === ""
        ? { ...withType, ok: true, violations: [] }
        : broken(`${status} must have no body, but one came (${answer.text.length} characters)`, {
            ...withType,
            body: answer.text,
          });
    }
    const listed = Object.keys(documented.content).join(", ");
    if (mediaType === "") {
      return broken(`the ${status} answer has no content type; the spec documents ${listed}`, {
        ...withType,
      });
    }
    const media = matchMedia(documented.content, mediaType);
    if (!media) {
      return broken(`content type "${mediaType}" for ${status} is not one of ${listed}`, withType);
    }
    let body: unknown = answer.text;
    if (isJsonMediaType(mediaType)) {
      try {
        body = JSON.parse(answer.text);
      } catch (error) {
        const reason = answer.text === "" ? "it is empty" : (error as Error).message;
        return broken(`the ${status} body is not valid JSON: ${reason}`, withType);
      }
    }
    if (!media.schema) return { ...withType, ok: true, violations: [], body };
    const schemaRef = media.schema.$ref;
    const schema = schemaRef?.startsWith(SCHEMA_REF)
      ? { schema: schemaRef.slice(SCHEMA_REF.length) }
      : {};
    const validate = validatorFor(media.schema);
    if (validate(body)) return { ...withType, ...schema, ok: true, violations: [], body };
    const against = schema.schema === undefined ? "the schema" : schema.schema;
    return {
      ...withType,
      ...schema,
      ok: false,
      body,
      violations: describeErrors(validate.errors, "body").map(
        (line) => `the ${status} body does not match ${against}: ${line}`,
      ),
    };
  }

  return { document, operations, validatorFor, validateSchema, describeErrors, check };
}
