// The hook's "Preview" tab, from the command line: sends the service a request shaped like
// Okta's, prints the request, the answer and the decision in plain words, and checks the
// answer against the OpenAPI contract. `run` is the whole tool, importable (the tests call it
// in process); src/cli/preview-main.ts is the command that calls it.
//
// Exit status: 0 the answer is within the contract (whatever the decision), 1 it breaks the
// contract, 2 a usage error or the service cannot be reached.
import { type ParseArgsConfig, parseArgs } from "node:util";
import createClient from "openapi-fetch";
import type { paths } from "../../generated/openapi.js";
import { DEMO_SECRET } from "../config/index.js";
import type { ErrorCause, RegistrationHookResponse, Schemas, SubmittedProfile } from "../spec.js";
import { type ContractCheck, createResponseContract, type ResponseContract } from "./contract.js";
import { buildRequest, KIND_LABELS, type PreviewKind, type PreviewRequest } from "./requests.js";

const EXIT_WITHIN_CONTRACT = 0;
const EXIT_CONTRACT_BROKEN = 1;
const EXIT_USAGE = 2;

const HOOK_PATH = "/registrationHook";
const DEFAULT_URL = "http://localhost:3000";
const DEFAULT_HEADER = "authorization";
/** Okta gives up after 3 s; the preview waits longer so that a slow answer can still be seen. */
const OKTA_TIMEOUT_MS = 3_000;
const TIMEOUT_MS = 10_000;

const USAGE = `Usage: npm run preview -- --email <address> [options]

Sends the registration hook a request shaped like Okta's (as the hook's Preview tab in the
Okta Admin Console does), shows the answer and what the person signing up would see, and
checks the answer against the OpenAPI contract.

Request:
  --email <address>    the email address submitted (required, except with --progressive)
  --login <value>      the login submitted (default: the email; with --progressive, none)
  --progressive        a progressive profile request: --email, --login and --set give the
                       attributes in data.userProfileUpdate
  --set <attr=value>   another submitted attribute, as a string; repeatable
  --classic            Classic Engine shape: no requestType, data.action null
Service:
  --url <base URL>     where the service runs (default ${DEFAULT_URL})
  --secret <value>     the shared secret (default: $PREVIEW_SECRET, else the demo secret)
  --header <name>      the header that carries the secret (default ${DEFAULT_HEADER})
  --token <jwt>        send "Authorization: Bearer <jwt>" instead of the secret (a --secret
                       is then sent too only if --header names another header)
Output:
  --json               print only the machine-readable result (use "npm run -s preview" to
                       keep npm's banner out of it)
  --help               show this help

Exit status: 0 the answer is within the contract, whatever the decision; 1 the answer breaks
the contract; 2 a usage error, or the service cannot be reached.
`;

const OPTIONS = {
  email: { type: "string" },
  login: { type: "string" },
  progressive: { type: "boolean" },
  set: { type: "string", multiple: true },
  classic: { type: "boolean" },
  url: { type: "string" },
  secret: { type: "string" },
  header: { type: "string" },
  token: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

/** A problem with how the tool was called (exit 2). */
class UsageError extends Error {}
/** The service did not answer (exit 2). */
class UnreachableError extends Error {}

interface Settings {
  readonly kind: PreviewKind;
  readonly profile: SubmittedProfile;
  readonly baseUrl: string;
  readonly headers: Readonly<Record<string, string>>;
  /** How the credentials read in the output; never the credentials themselves. */
  readonly auth: readonly { readonly header: string; readonly credential: string }[];
  readonly json: boolean;
}

// RFC 9110 token characters, and the characters a header value may hold.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]+$/;

function parseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url "${raw}" is not an absolute URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--url "${raw}" must be an http or https URL`);
  }
  if (url.search !== "" || url.hash !== "") {
    throw new UsageError(`--url "${raw}" must be a base URL, without a query or a fragment`);
  }
  return url.href.replace(/\/+$/, "");
}

function parseAttribute(raw: string): [string, string] {
  const at = raw.indexOf("=");
  const name = at < 0 ? "" : raw.slice(0, at).trim();
  if (name === "") throw new UsageError(`--set "${raw}" is not of the form attr=value`);
  return [name, raw.slice(at + 1)];
}

function headerValue(option: string, value: string): string {
  if (!HEADER_VALUE.test(value)) {
    throw new UsageError(`${option} is empty or holds characters a header cannot carry`);
  }
  return value;
}

/** The environment the tool reads (only PREVIEW_SECRET). */
export type PreviewEnv = Readonly<Record<string, string | undefined>>;

/** Where the tool writes. */
export interface PreviewOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

function authHeaders(
  values: { secret?: string; header?: string; token?: string },
  env: PreviewEnv,
): Pick<Settings, "headers" | "auth"> {
  const header = values.header ?? DEFAULT_HEADER;
  if (!HEADER_NAME.test(header)) throw new UsageError(`--header "${header}" is not a header name`);
  const name = header.toLowerCase();
  const fromEnv = env.PREVIEW_SECRET === "" ? undefined : env.PREVIEW_SECRET;
  if (values.token === undefined) {
    const secret = values.secret ?? fromEnv;
    return {
      headers: { [name]: headerValue("the secret", secret ?? DEMO_SECRET) },
      auth: [
        {
          header: name,
          credential:
            values.secret !== undefined
              ? "shared secret (--secret)"
              : secret !== undefined
                ? "shared secret ($PREVIEW_SECRET)"
                : "the demo shared secret",
        },
      ],
    };
  }
  const bearer = { authorization: `Bearer ${headerValue("--token", values.token)}` };
  const auth = [{ header: "authorization", credential: "bearer token (--token)" }];
  if (name === "authorization") {
    if (values.secret !== undefined) {
      throw new UsageError(
        "--token and --secret both need the Authorization header; give --header to send the secret in another one",
      );
    }
    return { headers: bearer, auth };
  }
  const secret = values.secret ?? fromEnv;
  if (secret === undefined) return { headers: bearer, auth };
  return {
    headers: { ...bearer, [name]: headerValue("the secret", secret) },
    auth: [...auth, { header: name, credential: "shared secret" }],
  };
}

/** Reads the command line; undefined when help was asked for. */
function parseSettings(argv: readonly string[], env: PreviewEnv): Settings | undefined {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"];
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return undefined;
  if (values.progressive && values.classic) {
    throw new UsageError(
      "--progressive and --classic do not go together: Classic Engine has no progressive profiling",
    );
  }
  const kind: PreviewKind = values.progressive
    ? "progressive"
    : values.classic
      ? "classic"
      : "registration";
  const { email } = values;
  if (email === undefined && kind !== "progressive") {
    throw new UsageError("--email is required (except with --progressive)");
  }
  const login = values.login ?? (kind === "progressive" ? undefined : email);
  const profile: SubmittedProfile = {
    ...(login === undefined ? {} : { login }),
    ...(email === undefined ? {} : { email }),
    ...Object.fromEntries((values.set ?? []).map(parseAttribute)),
  };
  if (kind === "progressive" && Object.keys(profile).length === 0) {
    throw new UsageError("--progressive needs at least one attribute: --email, --login or --set");
  }
  return {
    kind,
    profile,
    baseUrl: parseBaseUrl(values.url ?? DEFAULT_URL),
    ...authHeaders(values, env),
    json: values.json ?? false,
  };
}

interface Exchange {
  readonly status: number;
  readonly statusText: string;
  readonly contentType: string | undefined;
  readonly text: string;
  readonly elapsedMs: number;
}

function describeFailure(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no answer within ${TIMEOUT_MS / 1000} s`;
  }
  // fetch fails with "fetch failed"; the socket's error (code and message) is its cause.
  const cause = (error instanceof Error ? error.cause : undefined) as
    | { code?: unknown; message?: unknown }
    | undefined;
  const code = typeof cause?.code === "string" ? cause.code : "";
  const message = typeof cause?.message === "string" ? cause.message : "";
  const detail = message || (error instanceof Error ? error.message : String(error));
  if (code === "" || detail.includes(code)) return detail;
  return message === "" ? code : `${code}: ${detail}`;
}

/** Posts the request with a client typed from the spec's paths; the raw answer is kept for the checks. */
async function send(
  baseUrl: string,
  body: PreviewRequest,
  headers: Readonly<Record<string, string>>,
): Promise<Exchange> {
  const client = createClient<paths>({ baseUrl });
  let text = "";
  client.use({
    async onResponse({ response }) {
      text = await response.clone().text();
      return undefined;
    },
  });
  const started = performance.now();
  try {
    const { response } = await client.POST(HOOK_PATH, {
      body,
      headers: { ...headers },
      parseAs: "text",
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return {
      status: response.status,
      statusText: response.statusText,
      contentType: response.headers.get("content-type") ?? undefined,
      text,
      elapsedMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    throw new UnreachableError(
      `cannot reach the service at ${baseUrl}${HOOK_PATH}: ${describeFailure(error)}`,
    );
  }
}

type Problem = Schemas["Problem"];
type HookCommand = Schemas["HookCommand"];
type ActionUpdateCommand = Schemas["ActionUpdateCommand"];

interface CauseView {
  readonly message?: string;
  readonly field?: string;
  readonly location?: string;
  readonly reason?: string;
}

/** What Okta makes of the answer: the decision as the person signing up meets it. */
type Reading =
  | {
      readonly outcome: "allowed";
      readonly summary: string;
      readonly updates: readonly { readonly type: string; readonly value: unknown }[];
    }
  | {
      readonly outcome: "denied";
      readonly summary: string;
      readonly message?: string;
      readonly field?: string;
      readonly location?: string;
      readonly reason?: string;
      readonly causes: readonly CauseView[];
      readonly problem?: {
        readonly status: number;
        readonly title?: string;
        readonly detail?: string;
      };
    }
  | { readonly outcome: "undetermined"; readonly summary: string };

/** `data.userProfile.email` (or `data.userProfileUpdate.email`) is shown beside `email`. */
function fieldOf(location: string): string {
  return /^data\.userProfile(?:Update)?\.(.+)$/.exec(location)?.[1] ?? location;
}

function causeView(cause: ErrorCause): CauseView {
  return {
    ...(cause.errorSummary === undefined ? {} : { message: cause.errorSummary }),
    ...(cause.location === undefined
      ? {}
      : { location: cause.location, field: fieldOf(cause.location) }),
    ...(cause.reason === undefined ? {} : { reason: cause.reason }),
  };
}

function where(cause: CauseView): string {
  return cause.field === undefined ? "not tied to a field" : `shown beside ${cause.field}`;
}

const isActionUpdate = (command: HookCommand): command is ActionUpdateCommand =>
  command.type === "com.okta.action.update";

/** What Okta does with a 200 answer: an `error` denies; otherwise the last action command decides. */
function readHookResponse(answer: RegistrationHookResponse): Reading {
  const commands = answer.commands ?? [];
  const denyCommand = commands.filter(isActionUpdate).at(-1)?.value.registration === "DENY";
  const { error } = answer;
  if ((error === undefined || error === null) && !denyCommand) {
    return {
      outcome: "allowed",
      summary: commands.length === 0 ? "ALLOWED (no command: allowed by default)" : "ALLOWED",
      updates: commands
        .filter((c) => !isActionUpdate(c))
        .map((c) => ({ type: c.type, value: c.value })),
    };
  }
  const causes = (error?.errorCauses ?? []).map(causeView);
  const [first] = causes;
  if (first) {
    const message = first.message ?? error?.errorSummary ?? "(no errorSummary)";
    return {
      outcome: "denied",
      summary: `DENIED: ${message} (${where(first)})`,
      message,
      ...(first.field === undefined ? {} : { field: first.field }),
      ...(first.location === undefined ? {} : { location: first.location }),
      ...(first.reason === undefined ? {} : { reason: first.reason }),
      causes,
    };
  }
  const summary = error?.errorSummary;
  return {
    outcome: "denied",
    summary:
      error === undefined || error === null
        ? "DENIED: the Sign-In Widget's generic message (a DENY command, no error)"
        : `DENIED: the Sign-In Widget's generic message (an error with no causes${summary === undefined ? "" : `; its errorSummary: "${summary}"`})`,
    ...(summary === undefined ? {} : { message: summary }),
    causes,
  };
}

/** A problem's title and detail, read loosely: an off-contract answer may still carry them. */
function problemOf(
  status: number,
  body: unknown,
): { status: number; title?: string; detail?: string } {
  const problem = (typeof body === "object" && body !== null ? body : {}) as Partial<
    Record<keyof Problem, unknown>
  >;
  return {
    status,
    ...(typeof problem.title === "string" ? { title: problem.title } : {}),
    ...(typeof problem.detail === "string" ? { detail: problem.detail } : {}),
  };
}

function readAnswer(exchange: Exchange, check: ContractCheck): Reading {
  const { status } = exchange;
  if (status < 200 || status >= 300) {
    const retry = status >= 500 ? " (after retrying once)" : "";
    return {
      outcome: "denied",
      summary: `DENIED: the hook call failed with HTTP ${status}, so Okta denies the registration${retry}`,
      causes: [],
      problem: problemOf(status, check.body),
    };
  }
  if (!check.ok) {
    return {
      outcome: "undetermined",
      summary:
        "UNDETERMINED: the answer breaks the contract, so what Okta does with it is not defined",
    };
  }
  if (status === 204)
    return { outcome: "allowed", summary: "ALLOWED (204: no change)", updates: [] };
  return readHookResponse(check.body as RegistrationHookResponse);
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

function responseBody(exchange: Exchange, check: ContractCheck): unknown {
  if (exchange.text === "") return null;
  return check.body !== undefined ? check.body : exchange.text;
}

function renderHuman(exchange: Exchange, reading: Reading, check: ContractCheck): string {
  const lines: string[] = [];
  const label = (name: string, text: string) => lines.push(`${`${name}:`.padEnd(10)} ${text}`);
  const type = exchange.contentType === undefined ? "no content type" : exchange.contentType;
  lines.push(
    `<- HTTP ${exchange.status}${exchange.statusText ? ` ${exchange.statusText}` : ""}, ${type}, ${exchange.elapsedMs} ms`,
  );
  const body = responseBody(exchange, check);
  lines.push(body === null ? "(no body)" : typeof body === "string" ? body : pretty(body), "");
  label("Decision", reading.summary);
  if (reading.outcome === "denied") {
    if (reading.reason !== undefined) label("Reason", reading.reason);
    for (const cause of reading.causes.slice(1)) {
      const reason = cause.reason === undefined ? "" : `, ${cause.reason}`;
      label("Also", `${cause.message ?? "(no errorSummary)"} (${where(cause)}${reason})`);
    }
    const { problem } = reading;
    if (problem) {
      const title = problem.title ?? "(no title)";
      label("Problem", `${problem.status} ${title}${problem.detail ? `: ${problem.detail}` : ""}`);
    }
  }
  if (reading.outcome === "allowed") {
    for (const update of reading.updates)
      label("Update", `${update.type} ${JSON.stringify(update.value)}`);
  }
  if (exchange.elapsedMs > OKTA_TIMEOUT_MS) {
    label(
      "Note",
      `the answer took ${exchange.elapsedMs} ms; Okta waits at most ${OKTA_TIMEOUT_MS} ms, so it would have failed the call`,
    );
  }
  const against = [
    `POST ${HOOK_PATH} ${exchange.status}`,
    check.mediaType,
    check.schema === undefined ? undefined : `schema ${check.schema}`,
  ]
    .filter(Boolean)
    .join(", ");
  if (check.ok) {
    label("Contract", `OK: the answer matches the spec (${against})`);
  } else {
    label("Contract", `BROKEN: the answer does not match the spec for POST ${HOOK_PATH}`);
    for (const violation of check.violations) lines.push(`           - ${violation}`);
  }
  return `${lines.join("\n")}\n`;
}

function renderRequest(settings: Settings, body: PreviewRequest): string {
  const auth = settings.auth.map((a) => `${a.header}: ${a.credential}, not shown`).join("; ");
  return [
    `-> POST ${settings.baseUrl}${HOOK_PATH}`,
    `   ${KIND_LABELS[settings.kind]}; ${auth}`,
    pretty(body),
    "",
    "",
  ].join("\n");
}

function machineResult(
  settings: Settings,
  body: PreviewRequest,
  exchange: Exchange,
  reading: Reading,
  check: ContractCheck,
) {
  return {
    request: {
      method: "POST",
      url: `${settings.baseUrl}${HOOK_PATH}`,
      kind: settings.kind,
      auth: settings.auth,
      body,
    },
    response: {
      status: exchange.status,
      contentType: exchange.contentType ?? null,
      elapsedMs: exchange.elapsedMs,
      body: responseBody(exchange, check),
    },
    decision: reading,
    contract: {
      ok: check.ok,
      violations: check.violations,
      ...(check.response === undefined ? {} : { response: check.response }),
      ...(check.schema === undefined ? {} : { schema: check.schema }),
    },
  };
}

let contract: ResponseContract | undefined;

/**
 * The tool: reads `argv` (without node and the script) and `env`, writes to `out`, and returns
 * the exit status. Never throws: a usage error or an unreachable service is exit 2.
 */
export async function run(argv: string[], env: PreviewEnv, out: PreviewOutput): Promise<number> {
  try {
    const settings = parseSettings(argv, env);
    if (!settings) {
      out.stdout(USAGE);
      return EXIT_WITHIN_CONTRACT;
    }
    contract ??= createResponseContract();
    const body = buildRequest({ kind: settings.kind, profile: settings.profile });
    if (!settings.json) out.stdout(renderRequest(settings, body));
    const exchange = await send(settings.baseUrl, body, settings.headers);
    const check = contract.check({
      method: "post",
      path: HOOK_PATH,
      status: exchange.status,
      contentType: exchange.contentType,
      text: exchange.text,
    });
    const reading = readAnswer(exchange, check);
    out.stdout(
      settings.json
        ? `${pretty(machineResult(settings, body, exchange, reading, check))}\n`
        : renderHuman(exchange, reading, check),
    );
    return check.ok ? EXIT_WITHIN_CONTRACT : EXIT_CONTRACT_BROKEN;
  } catch (error) {
    if (error instanceof UsageError) {
      out.stderr(`preview: ${error.message}\nRun with --help for usage.\n`);
    } else if (error instanceof UnreachableError) {
      out.stderr(`preview: ${error.message}\n`);
    } else {
      out.stderr(
        `preview: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
    return EXIT_USAGE;
  }
}
