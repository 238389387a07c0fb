// Reads a hook call's body once, after authentication: media type, charset and encoding first,
// then at most BODY_LIMIT_BYTES (before and after decompression), then JSON without prototype keys.
import type { IncomingMessage } from "node:http";
import type { Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import secureJson from "secure-json-parse";
import type { ProblemKey } from "./problems.js";

/** Okta's requests are a few KiB; anything larger is refused before it is parsed. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export type BodyOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problem: ProblemKey; readonly detail: string };

export const NO_BODY: BodyOutcome = Object.freeze({ ok: true, value: undefined });

const refuse = (problem: ProblemKey, detail: string): BodyOutcome =>
  Object.freeze({ ok: false, problem, detail });

const NOT_JSON = refuse("unsupportedMediaType", "Send the body as application/json.");
const BAD_CHARSET = refuse(
  "unsupportedMediaType",
  "JSON is UTF-8 (RFC 8259): send charset=utf-8 or no charset.",
);
const BAD_ENCODING = refuse(
  "unsupportedMediaType",
  "The body's Content-Encoding must be identity, gzip, deflate or br.",
);
const TOO_LARGE = refuse("payloadTooLarge", `The body must not exceed ${BODY_LIMIT_BYTES} bytes.`);
const CORRUPT = refuse("malformedJson", "The request body could not be decompressed.");
const UNREADABLE = refuse("malformedJson", "The request body could not be read.");
const MALFORMED = refuse("malformedJson", "The request body could not be parsed as JSON.");

/** `application/json` or any `application/*+json`, with no charset or a UTF-8 one. */
function checkMediaType(header: string | undefined): BodyOutcome | undefined {
  if (header === undefined) return NOT_JSON;
  const [type = "", ...parameters] = header.split(";");
  const media = type.trim().toLowerCase();
  const slash = media.indexOf("/");
  const subtype = media.slice(slash + 1);
  if (
    media.slice(0, slash) !== "application" ||
    !(subtype === "json" || (subtype.endsWith("+json") && subtype.length > 5))
  ) {
    return NOT_JSON;
  }
  for (const parameter of parameters) {
    const eq = parameter.indexOf("=");
    if (parameter.slice(0, eq).trim().toLowerCase() !== "charset") continue;
    const charset = parameter
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1")
      .toLowerCase();
    if (charset !== "utf-8" && charset !== "utf8") return BAD_CHARSET;
  }
  return undefined;
}

type Decoder = () => Transform;
const DECODERS: ReadonlyMap<string, Decoder> = new Map<string, Decoder>([
  ["gzip", createGunzip],
  ["x-gzip", createGunzip],
  ["deflate", createInflate],
  ["br", createBrotliDecompress],
]);

/** Parses once; `__proto__` and `constructor.prototype` keys are dropped so they never reach the policy. */
export function parseJsonBody(raw: Buffer): BodyOutcome {
  try {
    return {
      ok: true,
      value: secureJson.parse(raw, undefined, {
        protoAction: "remove",
        constructorAction: "remove",
      }),
    };
  } catch {
    return MALFORMED;
  }
}

/** Collects a stream up to the limit; resolves with the bytes, TOO_LARGE, or the failure given. */
function collect(
  stream: NodeJS.ReadableStream,
  failure: BodyOutcome,
): Promise<Buffer | BodyOutcome> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: Buffer | BodyOutcome) => {
      stream.removeAllListeners("data");
      resolve(result);
    };
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) {
        done(TOO_LARGE);
        return;
      }
      chunks.push(chunk);
    });
    stream.once("end", () =>
      done(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)),
    );
    stream.once("error", () => done(failure));
    stream.once("close", () => done(failure));
  });
}

/**
 * Reads and parses the body of an authenticated call. A refusal leaves the rest of the body
 * unread; node discards it (or closes the connection) once the answer is sent.
 */
export async function readBody(req: IncomingMessage): Promise<BodyOutcome> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > BODY_LIMIT_BYTES) return TOO_LARGE;
  if (declared === "0") return NO_BODY;
  if (declared === undefined && req.headers["transfer-encoding"] === undefined) return NO_BODY;
  const encoding = (req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  const decoder = encoding === "identity" ? undefined : DECODERS.get(encoding);
  if (decoder === undefined && encoding !== "identity") return BAD_ENCODING;

  // A declared body of the wrong type is refused unread; a chunked one may turn out empty.
  const media = checkMediaType(req.headers["content-type"]);
  if (media !== undefined && declared !== undefined) return media;
  let raw: Buffer | BodyOutcome;
  if (decoder === undefined) {
    raw = await collect(req, UNREADABLE);
  } else {
    const inflate = decoder();
    req.once("aborted", () => inflate.destroy());
    req.pipe(inflate);
    raw = await collect(inflate, CORRUPT);
    req.unpipe(inflate);
    inflate.destroy();
  }
  if (!Buffer.isBuffer(raw)) return raw;
  if (raw.length === 0) return NO_BODY;
  return media ?? parseJsonBody(raw);
}
