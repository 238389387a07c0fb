// Checks an HTTP answer against what the bundled OpenAPI document promises: the status is
// documented for the operation, the content type is one it lists, and the body matches the
// schema (Ajv draft-07, the component schemas as definitions). Used by the preview CLI and
// by the tests, independently of the validator the app serves requests with.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import ajvFormats from "ajv-formats";
import type { OpenAPIV3 } from "openapi-types";
import { formatAllowedValues, pointerSegments } from "../http/fieldErrors.js";
import { loadSpec } from "../spec.js";

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

/** Where an operation lives in the document. */
export interface OperationLocation {
  readonly method: OpenAPIV3.HttpMethods;
  readonly path: string;
}

export interface ResponseContract {
  readonly document: OpenAPIV3.Document;
  /** Every operation the document declares, by id. */
  readonly operations: ReadonlyMap<string, OperationLocation>;
  /** The target of a local `$ref` (`#/components/...`), or the value itself when it is none. */
  resolve<T extends object>(value: T | OpenAPIV3.ReferenceObject): T | undefined;
  /** A compiled validator for a schema of the document (refs to component schemas resolved). */
  validatorFor(schema: object): ValidateFunction;
  /** Validates a value against a named component schema; one message per failure. */
  validateSchema(name: string, value: unknown): readonly string[];
  /** Ajv's errors in one line each, `body/commands/0 must ...`. */
  describeErrors(errors: readonly ErrorObject[] | null | undefined, root?: string): string[];
  /** Checks a whole answer: status, content type, body. */
  check(answer: ObservedResponse): ContractCheck;
}

const HTTP_METHODS: readonly string[] = [
  "get",
  "put",
  "post",
  "delete",
  "options",
  "head",
  "patch",
  "trace",
] satisfies readonly `${OpenAPIV3.HttpMethods}`[];
const SCHEMAS_ID = "urn:spec:schemas";
const SCHEMA_REF = "#/components/schemas/";
const RESPONSE_REF = "#/components/responses/";
/** OpenAPI 3.0 schema keywords that JSON Schema draft-07 does not know; annotations only. */
const OPENAPI_ANNOTATIONS = ["example", "externalDocs", "xml"];

function isHttpMethod(method: string): method is OpenAPIV3.HttpMethods {
  return HTTP_METHODS.includes(method);
}

export function isReference(value: object): value is OpenAPIV3.ReferenceObject {
  return "$ref" in value && typeof value.$ref === "string";
}

let bundled: OpenAPIV3.Document | undefined;

/** The bundled document (generated/openapi.json) through src/spec.ts's loader, read once. */
export function readSpecDocument(): OpenAPIV3.Document {
  // The bundle is OpenAPI 3.0.3 (see README, Decisions), so the 3.0 object model applies.
  bundled ??= loadSpec() as OpenAPIV3.Document;
  return bundled;
}

/** The value of a named example in `components.examples` of the bundled document, as it is stored there. */
export function specExample(name: string, document = readSpecDocument()): unknown {
  const example = document.components?.examples?.[name];
  if (example === undefined || isReference(example) || !("value" in example)) {
    throw new Error(`the spec has no inline example named ${name} in components.examples`);
  }
  return example.value;
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

type Content = NonNullable<OpenAPIV3.ResponseObject["content"]>;

/** The documented media type an answer's type falls under: exact, then `type/*`, then `*\/*`. */
function matchMedia(content: Content, mediaType: string): OpenAPIV3.MediaTypeObject | undefined {
  const byType = new Map(Object.entries(content).map(([k, v]) => [k.toLowerCase(), v]));
  const [major] = mediaType.split("/");
  return byType.get(mediaType) ?? byType.get(`${major}/*`) ?? byType.get("*/*");
}

function isJsonMediaType(mediaType: string): boolean {
  return mediaType === "application/json" || mediaType.endsWith("+json");
}

/** Builds the checks over a document; every schema is compiled once, on first use. */
export function createResponseContract(
  document: OpenAPIV3.Document = readSpecDocument(),
): ResponseContract {
  const components = document.components ?? {};
  const ajv = new Ajv({ strict: true, allErrors: true, discriminator: true });
  ajvFormats.default(ajv);
  for (const keyword of [...OPENAPI_ANNOTATIONS, ...extensionKeywords(components)]) {
    ajv.addKeyword(keyword);
  }
  // Component schemas become draft-07 definitions; refs are rewritten to point at them.
  const rewrite = <T>(value: T): T =>
    JSON.parse(
      JSON.stringify(value).replaceAll(`"${SCHEMA_REF}`, `"${SCHEMAS_ID}#/definitions/`),
    ) as T;
  ajv.addSchema({ $id: SCHEMAS_ID, definitions: rewrite(components.schemas ?? {}) });

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
      const where = [root, ...pointerSegments(e.instancePath)].filter(Boolean).join("/");
      const params = e.params as Record<string, unknown>;
      let detail = e.message ?? e.keyword;
      if (e.keyword === "additionalProperties") {
        detail += ` (${String(params.additionalProperty)})`;
      } else if (e.keyword === "enum") {
        detail += ` (${formatAllowedValues(params.allowedValues as unknown[])})`;
      }
      return `${where || "(the whole value)"} ${detail}`;
    });
    return [...new Set(lines)];
  }

  function validateSchema(name: string, value: unknown): readonly string[] {
    const validate = namedValidator(name);
    return validate(value)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  }

  /** Follows local refs (`#/...`) through the document; undefined for a dangling or remote one. */
  function resolve<T extends object>(value: T | OpenAPIV3.ReferenceObject): T | undefined {
    let current: unknown = value;
    for (let hops = 0; hops < 16; hops += 1) {
      if (current === null || typeof current !== "object") return undefined;
      if (!isReference(current)) return current as T;
      const { $ref } = current;
      if (!$ref.startsWith("#/")) return undefined;
      current = pointerSegments($ref.slice(1)).reduce<unknown>(
        (node, segment) =>
          node !== null && typeof node === "object" && Object.hasOwn(node, segment)
            ? (node as Record<string, unknown>)[segment]
            : undefined,
        document,
      );
    }
    return undefined;
  }

  const operations = new Map<string, OperationLocation>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS.filter(isHttpMethod)) {
      const operationId = item?.[method]?.operationId;
      if (operationId !== undefined) operations.set(operationId, { method, path });
    }
  }

  function documentedResponse(entry: OpenAPIV3.ReferenceObject | OpenAPIV3.ResponseObject): {
    name?: string;
    response?: OpenAPIV3.ResponseObject;
  } {
    const name =
      isReference(entry) && entry.$ref.startsWith(RESPONSE_REF)
        ? entry.$ref.slice(RESPONSE_REF.length)
        : undefined;
    const response = resolve(entry);
    return {
      ...(name === undefined ? {} : { name }),
      ...(response === undefined ? {} : { response }),
    };
  }

  function check(answer: ObservedResponse): ContractCheck {
    const method = answer.method.toLowerCase();
    const call = `${method.toUpperCase()} ${answer.path}`;
    const { status } = answer;
    const item = document.paths[answer.path];
    // HEAD is GET without the body (RFC 9110, 9.3.2) unless the spec documents it apart.
    const headAsGet = method === "head" && item?.head === undefined && item?.get !== undefined;
    const op = headAsGet ? item?.get : isHttpMethod(method) ? item?.[method] : undefined;
    const operationId = op?.operationId;
    const base = operationId === undefined ? {} : { operationId };
    const broken = (violation: string, extra: Partial<ContractCheck> = {}): ContractCheck => ({
      ...base,
      ...extra,
      ok: false,
      violations: [violation],
    });

    let documented: OpenAPIV3.ResponseObject | undefined;
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
      const resolved = documentedResponse(entry);
      if (!resolved.response) {
        const target = isReference(entry) ? entry.$ref : "its response";
        return broken(`${call} ${status} refers to ${target}, which the spec does not define`);
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
      const shared = components.responses?.[responseName];
      documented = shared === undefined ? undefined : resolve(shared);
      if (!documented) return broken(`the spec does not define the ${responseName} response`);
    }
    const named = responseName === undefined ? base : { ...base, response: responseName };

    const mediaType = mediaTypeOf(answer.contentType);
    const withType = mediaType === "" ? named : { ...named, mediaType };
    if (headAsGet) {
      if (answer.text !== "") {
        return broken(`a HEAD answer has no body, but one came (${answer.text.length} characters)`);
      }
      const listed = Object.keys(documented.content ?? {});
      const fits = listed.length === 0 || matchMedia(documented.content ?? {}, mediaType);
      return fits
        ? { ...withType, ok: true, violations: [] }
        : broken(`content type "${mediaType}" for ${status} is not one of ${listed.join(", ")}`);
    }
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
    const schemaRef = isReference(media.schema) ? media.schema.$ref : undefined;
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

  return { document, operations, resolve, validatorFor, validateSchema, describeErrors, check };
}
