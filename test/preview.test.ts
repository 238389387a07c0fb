// The preview CLI, run in process (run() of src/cli/preview.ts) against the real service on a
// socket and against fake ones, its entry file once as a process, and the response contract
// checks it shares with the tests.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { OpenAPIV3 } from "openapi-types";
import { createResponseContract } from "../src/cli/contract.js";
import { run } from "../src/cli/preview.js";
import { ALLOW, ALLOW_BODY } from "../src/policy/answer.js";
import { type Listening, listen, startService } from "./support/app.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SECRET = "Basic cHJldmlldzpjb3JyZWN0LWhvcnNlLWJhdHRlcnk=";

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The tool in process, with only `env` for an environment. */
async function preview(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await run([...args], env, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

/** The command itself (src/cli/preview-main.ts) as a child process, as `npm run preview` starts it. */
function previewProcess(args: readonly string[]): Promise<Run> {
  const { PREVIEW_SECRET: _ignored, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/preview-main.ts", ...args], {
      cwd: ROOT,
      env: inherited,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The --json result, parsed. */
function result(run: Run) {
  return JSON.parse(run.stdout) as {
    request: { kind: string; body: { requestType?: string; data: Record<string, unknown> } };
    response: { status: number; body: unknown };
    decision: { outcome: string; summary: string; field?: string; reason?: string };
    contract: { ok: boolean; violations: string[] };
  };
}

function listenOn(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

const noStackTrace = (text: string) => assert.doesNotMatch(text, /\n\s+at /);

/** Answers off (or on) the contract by the base path the CLI was given, and records what came. */
const FAKE_ANSWERS: Record<string, { status: number; type?: string; body?: string }> = {
  "/misspelled": {
    status: 200,
    type: "application/json",
    body: '{"commands":[{"type":"com.okta.action.update","value":{"action":"DENY"}}]}',
  },
  "/teapot": { status: 418, type: "text/plain", body: "I'm a teapot" },
  "/html": { status: 200, type: "text/html", body: "<p>ok</p>" },
  "/truncated": { status: 200, type: "application/json", body: '{"commands":[' },
  "/no-content": { status: 204 },
  "/error-only": {
    status: 200,
    type: "application/json",
    body: '{"error":{"errorSummary":"Not today."}}',
  },
  "/echo": { status: 200, type: "application/json", body: "{}" },
};

let service: Listening;
let serviceUrl: string;
let fake: Server;
let fakeUrl: string;
let deadUrl: string;
const seen: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];

before(async () => {
  service = await listen(await startService({ HOOK_AUTH_SECRET: SECRET }));
  serviceUrl = service.url;

  fake = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      const path = (req.url ?? "").replace(/\/registrationHook$/, "");
      seen.push({ path, headers: req.headers, body });
      const answer = FAKE_ANSWERS[path] ?? { status: 404 };
      res.writeHead(answer.status, answer.type ? { "content-type": answer.type } : {});
      res.end(answer.body);
    });
  });
  fakeUrl = await listenOn(fake);

  const dead = createServer();
  deadUrl = await listenOn(dead);
  await close(dead);
});

after(async () => {
  await Promise.all([service.close(), close(fake)]);
});

describe("preview against the service", { concurrency: true }, () => {
  it("shows an allowed address as ALLOWED and exits 0", async () => {
    const run = await preview([
      "--email",
      "jo@example.com",
      "--url",
      serviceUrl,
      "--secret",
      SECRET,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /-> POST http:\/\/127\.0\.0\.1:\d+\/registrationHook/);
    assert.match(run.stdout, /"requestType": "self.service.registration"/);
    assert.match(run.stdout, /"login": "jo@example.com"/);
    assert.match(run.stdout, /<- HTTP 200/);
    assert.match(run.stdout, /Decision: +ALLOWED/);
    assert.match(run.stdout, /Contract: +OK/);
    assert.ok(!run.stdout.includes(SECRET), "the secret must not be printed");
  });

  it("shows another domain as DENIED with the message and the field, and exits 0", async () => {
    const run = await preview(["--email", "jo@gmail.com", "--url", serviceUrl, "--secret", SECRET]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /Decision: +DENIED: Registration is not open to email addresses at this domain\. \(shown beside email\)/,
    );
    assert.match(run.stdout, /Reason: +INVALID_EMAIL_DOMAIN/);
    assert.match(run.stdout, /Contract: +OK/);
  });

  it("gives the same decision in --json, and nothing else on stdout", async () => {
    const run = await preview([
      "--email",
      "jo@gmail.com",
      "--login",
      "jo",
      "--url",
      serviceUrl,
      "--secret",
      SECRET,
      "--json",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const { request, response, decision, contract } = result(run);
    assert.equal(request.kind, "registration");
    assert.deepEqual(
      { ...(request.body.data.userProfile as object) },
      { firstName: "Rosario", lastName: "Jones", login: "jo", email: "jo@gmail.com" },
    );
    assert.equal(response.status, 200);
    assert.equal(decision.outcome, "denied");
    assert.equal(decision.field, "email");
    assert.equal(decision.reason, "INVALID_EMAIL_DOMAIN");
    assert.deepEqual(contract, { ok: true, violations: [], schema: "RegistrationHookResponse" });
  });

  it("sends a progressive profile with the --set attributes as the update", async () => {
    const run = await preview([
      "--progressive",
      "--set",
      "employeeNumber=1234",
      "--set",
      "nickName=Jo=Jo",
      "--url",
      serviceUrl,
      "--secret",
      SECRET,
      "--json",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const { request, decision } = result(run);
    assert.equal(request.body.requestType, "progressive.profile");
    assert.deepEqual(request.body.data.userProfileUpdate, {
      employeeNumber: "1234",
      nickName: "Jo=Jo",
    });
    assert.equal(request.body.data.userProfile, undefined);
    assert.ok((request.body.data.context as { user?: unknown }).user, "context.user is sent");
    assert.equal(decision.outcome, "allowed");
  });

  it("puts the email in a progressive update only when given, and checks it", async () => {
    const run = await preview(
      ["--progressive", "--email", "jo@gmail.com", "--url", serviceUrl, "--json"],
      { PREVIEW_SECRET: SECRET },
    );
    assert.equal(run.code, 0, run.stderr);
    const { request, decision } = result(run);
    assert.deepEqual(request.body.data.userProfileUpdate, { email: "jo@gmail.com" });
    assert.equal(decision.outcome, "denied");
    assert.equal(decision.field, "email");
  });

  it("sends the Classic Engine shape: no requestType, action null", async () => {
    const run = await preview([
      "--classic",
      "--email",
      "jo@example.com",
      "--url",
      serviceUrl,
      "--secret",
      SECRET,
      "--json",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const { request, decision } = result(run);
    assert.equal(request.kind, "classic");
    assert.ok(!("requestType" in request.body));
    assert.equal(request.body.data.action, null);
    assert.equal((request.body.data.userProfile as { email?: string }).email, "jo@example.com");
    assert.equal(decision.outcome, "allowed");
  });

  it("prints the 401 problem for a wrong secret and exits 0: 401 is within the contract", async () => {
    const run = await preview(["--email", "jo@example.com", "--url", serviceUrl]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /<- HTTP 401/);
    assert.match(run.stdout, /Decision: +DENIED: the hook call failed with HTTP 401/);
    assert.match(
      run.stdout,
      /Problem: +401 Authentication failed: The authentication header is missing or wrong\./,
    );
    assert.match(run.stdout, /Contract: +OK/);
  });
});

describe("preview against answers off the contract", { concurrency: true }, () => {
  it("exits 1 and names the violation for a misspelled command", async () => {
    const run = await preview(["--email", "jo@example.com", "--url", `${fakeUrl}/misspelled`]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /Decision: +UNDETERMINED/);
    assert.match(run.stdout, /Contract: +BROKEN/);
    assert.match(
      run.stdout,
      /the 200 body does not match RegistrationHookResponse: body\/commands\/0\/value must have required property 'registration'/,
    );
    assert.match(run.stdout, /must NOT have additional properties \(action\)/);
  });

  it("exits 1 for an undocumented status, and still says Okta denies", async () => {
    const run = await preview([
      "--email",
      "jo@example.com",
      "--url",
      `${fakeUrl}/teapot`,
      "--json",
    ]);
    assert.equal(run.code, 1, run.stderr);
    const { response, decision, contract } = result(run);
    assert.equal(response.status, 418);
    assert.equal(response.body, "I'm a teapot");
    assert.equal(decision.outcome, "denied");
    assert.equal(contract.ok, false);
    assert.match(
      contract.violations.join("\n"),
      /POST \/registrationHook answered 418, which the spec does not document/,
    );
  });

  it("exits 1 for an undocumented content type and for a body that is not JSON", async () => {
    const html = await preview(["--email", "jo@example.com", "--url", `${fakeUrl}/html`]);
    assert.equal(html.code, 1);
    assert.match(html.stdout, /content type "text\/html" for 200 is not one of application\/json/);
    const truncated = await preview(["--email", "jo@example.com", "--url", `${fakeUrl}/truncated`]);
    assert.equal(truncated.code, 1);
    assert.match(truncated.stdout, /the 200 body is not valid JSON/);
  });

  it("exits 0 for a 204 and for an error-only denial, both within the contract", async () => {
    const empty = await preview(["--email", "jo@example.com", "--url", `${fakeUrl}/no-content`]);
    assert.equal(empty.code, 0, empty.stdout);
    assert.match(empty.stdout, /Decision: +ALLOWED \(204: no change\)/);
    const errorOnly = await preview([
      "--email",
      "jo@example.com",
      "--url",
      `${fakeUrl}/error-only`,
    ]);
    assert.equal(errorOnly.code, 0, errorOnly.stdout);
    assert.match(errorOnly.stdout, /Decision: +DENIED: the Sign-In Widget's generic message/);
    assert.match(errorOnly.stdout, /Not today\./);
  });

  it("sends the secret in --header, and a bearer token with --token", async () => {
    const secret = await preview([
      "--email",
      "jo@example.com",
      "--url",
      `${fakeUrl}/echo`,
      "--header",
      "X-Hook-Secret",
      "--secret",
      "secret-in-another-header",
    ]);
    assert.equal(secret.code, 0, secret.stderr);
    const token = await preview([
      "--email",
      "jo@example.com",
      "--url",
      `${fakeUrl}/echo`,
      "--token",
      "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
    ]);
    assert.equal(token.code, 0, token.stderr);
    const calls = seen.filter((s) => s.path === "/echo");
    const bySecret = calls.find((c) => c.headers["x-hook-secret"] !== undefined);
    assert.equal(bySecret?.headers["x-hook-secret"], "secret-in-another-header");
    assert.equal(bySecret?.headers.authorization, undefined);
    const byToken = calls.find((c) => c.headers.authorization?.startsWith("Bearer "));
    assert.equal(byToken?.headers.authorization, "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
    assert.match(byToken?.headers["content-type"] ?? "", /^application\/json/);
    assert.equal(
      (JSON.parse(byToken?.body ?? "{}") as { eventType?: string }).eventType,
      "com.okta.user.pre-registration",
    );
  });
});

describe("the preview command (src/cli/preview-main.ts)", () => {
  it("runs the tool on its arguments and exits with the status it returns", async () => {
    const usage = await previewProcess(["--email", "jo@example.com", "--bogus"]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /^preview: Unknown option '--bogus'/);
    assert.equal(usage.stdout, "");
  });
});

describe("preview usage", { concurrency: true }, () => {
  it("exits 2 with a clear message when the service cannot be reached", async () => {
    const run = await preview(["--email", "jo@example.com", "--url", deadUrl]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /preview: cannot reach the service at http:\/\/127\.0\.0\.1:\d+\/registrationHook: .*ECONNREFUSED/,
    );
    noStackTrace(run.stderr);
  });

  it("prints help and exits 0", async () => {
    const run = await preview(["--help"]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: npm run preview -- --email <address>/);
    for (const option of [
      "--login",
      "--progressive",
      "--set",
      "--classic",
      "--url",
      "--secret",
      "--header",
      "--token",
      "--json",
    ]) {
      assert.ok(run.stdout.includes(option), option);
    }
  });

  it("exits 2 without --email", async () => {
    const run = await preview(["--url", serviceUrl]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--email is required/);
    assert.equal(run.stdout, "");
    noStackTrace(run.stderr);
  });

  it("exits 2 for unknown options, bad values and conflicting ones", async () => {
    const cases: [string[], RegExp][] = [
      [["--email", "jo@example.com", "--bogus"], /Unknown option '--bogus'/],
      [["--email", "jo@example.com", "--url", "ftp://example.com"], /http or https/],
      [["--email", "jo@example.com", "--set", "novalue"], /attr=value/],
      [["--email", "jo@example.com", "--progressive", "--classic"], /do not go together/],
      [["--email", "jo@example.com", "--token", "t", "--secret", "s"], /--token and --secret/],
    ];
    const runs = await Promise.all(cases.map(([args]) => preview(args)));
    runs.forEach((run, i) => {
      const [args, message] = cases[i] ?? [[], /./];
      assert.equal(run.code, 2, args.join(" "));
      assert.match(run.stderr, message, args.join(" "));
      noStackTrace(run.stderr);
    });
  });
});

describe("response contract (src/cli/contract.ts)", () => {
  const contract = createResponseContract();
  const hook = (status: number, text: string, contentType?: string) =>
    contract.check({ method: "POST", path: "/registrationHook", status, contentType, text });

  it("accepts a documented answer and says what it was checked against", () => {
    const check = hook(200, ALLOW_BODY, "application/json; charset=utf-8");
    assert.deepEqual(check.violations, []);
    assert.equal(check.ok, true);
    assert.equal(check.operationId, "registrationHook");
    assert.equal(check.mediaType, "application/json");
    assert.equal(check.schema, "RegistrationHookResponse");
    assert.deepEqual(check.body, ALLOW);
  });

  it("resolves shared responses and checks problem+json against Problem", () => {
    const problem = {
      type: "urn:problem:registration-hook:unauthorized",
      title: "Authentication failed",
      status: 401,
    };
    const ok = hook(401, JSON.stringify(problem), "application/problem+json");
    assert.equal(ok.ok, true, ok.violations.join("\n"));
    assert.equal(ok.response, "Unauthorized");
    assert.equal(ok.schema, "Problem");
    const wrongType = hook(401, JSON.stringify(problem), "application/json");
    assert.match(
      wrongType.violations.join(),
      /"application\/json" for 401 is not one of application\/problem\+json/,
    );
    const badBody = hook(
      401,
      JSON.stringify({ ...problem, type: "about:blank" }),
      "application/problem+json",
    );
    assert.match(
      badBody.violations.join(),
      /body\/type must be equal to one of the allowed values/,
    );
  });

  it("names every way a body breaks the schema", () => {
    const check = hook(
      200,
      '{"commands":[{"type":"com.okta.action.update","value":{"action":"DENY"}}],"extra":1}',
      "application/json",
    );
    assert.equal(check.ok, false);
    const text = check.violations.join("\n");
    assert.match(text, /body must NOT have additional properties \(extra\)/);
    assert.match(text, /body\/commands\/0\/value must have required property 'registration'/);
    assert.match(text, /body\/commands\/0 must match exactly one schema in oneOf/);
    assert.equal(new Set(check.violations).size, check.violations.length, "no duplicates");
  });

  it("refuses undocumented statuses, missing content types, bodies that should not be there", () => {
    assert.match(hook(418, "").violations.join(), /answered 418, which the spec does not document/);
    assert.match(hook(200, "{}").violations.join(), /has no content type/);
    assert.match(
      hook(200, "", "application/json").violations.join(),
      /not valid JSON: it is empty/,
    );
    assert.equal(hook(204, "").ok, true);
    assert.match(hook(204, "{}", "application/json").violations.join(), /204 must have no body/);
  });

  it("expects 404 where there is no path and 405 where there is no such method", () => {
    const notFound = JSON.stringify({
      type: "urn:problem:registration-hook:not-found",
      title: "Not found",
      status: 404,
    });
    const found = contract.check({
      method: "post",
      path: "/nowhere",
      status: 404,
      contentType: "application/problem+json",
      text: notFound,
    });
    assert.equal(found.ok, true, found.violations.join());
    assert.equal(found.response, "NotFound");
    assert.equal(found.operationId, undefined);
    const wrong = contract.check({
      method: "get",
      path: "/registrationHook",
      status: 200,
      contentType: "application/json",
      text: "{}",
    });
    assert.match(
      wrong.violations.join(),
      /GET \/registrationHook answered 200; .* should answer 405/,
    );
  });

  it("checks HEAD as GET without the body", () => {
    const head = (text: string, contentType?: string) =>
      contract.check({ method: "HEAD", path: "/healthz", status: 200, contentType, text });
    const ok = head("", "application/json");
    assert.equal(ok.ok, true, ok.violations.join());
    assert.equal(ok.operationId, "getHealth");
    assert.match(head('{"status":"ok"}', "application/json").violations.join(), /no body/);
    assert.match(head("", "text/html").violations.join(), /"text\/html" for 200 is not one of/);
  });

  it("validates named schemas with OpenAPI's nullable, and lists the operations", () => {
    assert.deepEqual(
      contract.validateSchema("SubmittedProfile", { email: null, login: "jo", extra: 1 }),
      [],
    );
    assert.notDeepEqual(contract.validateSchema("SubmittedProfile", { email: 42 }), []);
    assert.deepEqual(contract.operations.get("registrationHook"), {
      method: "post",
      path: "/registrationHook",
    });
  });

  it("works over any document: x- extensions, example, status ranges, default, media ranges", () => {
    const document: OpenAPIV3.Document = {
      openapi: "3.0.3",
      info: { title: "things", version: "1" },
      paths: {
        "/things": {
          get: {
            operationId: "listThings",
            responses: {
              "200": {
                description: "a thing",
                content: { "application/*": { schema: { $ref: "#/components/schemas/Thing" } } },
              },
              "4XX": { $ref: "#/components/responses/Oops" },
              default: { description: "anything else, no body" },
            },
          },
        },
      },
      components: {
        schemas: {
          Thing: {
            type: "object",
            required: ["name"],
            properties: {
              // An extension keyword, which OpenAPI allows and strict Ajv must be told about.
              name: {
                type: "string",
                nullable: true,
                example: "x",
                "x-internal": true,
              } as OpenAPIV3.SchemaObject,
            },
            additionalProperties: false,
          },
        },
        responses: {
          Oops: {
            description: "an error",
            content: { "text/plain": { schema: { type: "string" } } },
          },
        },
      },
    };
    const own = createResponseContract(document);
    const get = (status: number, text: string, contentType?: string) =>
      own.check({ method: "get", path: "/things", status, contentType, text });
    assert.equal(get(200, '{"name":null}', "application/vnd.thing+json").ok, true);
    assert.match(
      get(200, '{"name":1}', "application/json").violations.join(),
      /does not match Thing/,
    );
    assert.equal(get(404, "no such thing", "text/plain").ok, true);
    assert.equal(get(404, "no such thing", "text/plain").response, "Oops");
    assert.equal(get(503, "").ok, true);
    assert.match(get(503, "down").violations.join(), /503 must have no body/);
  });
});
