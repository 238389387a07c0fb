// The hot path for POST /registrationHook and openapi-backend's general pipeline must answer
// every request alike: status, headers and body, for good requests and bad ones.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { call, startService, TEST_SECRET, type TestService } from "./support/app.js";
import {
  classicRegistration,
  progressiveProfile,
  selfServiceRegistration,
} from "./support/fixtures.js";

interface Case {
  readonly name: string;
  readonly path?: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
}

const json = { "content-type": "application/json", authorization: TEST_SECRET };
const good = JSON.stringify(selfServiceRegistration());

const CORPUS: Case[] = [
  { name: "allowed registration", headers: json, body: good },
  {
    name: "denied registration",
    headers: json,
    body: JSON.stringify(selfServiceRegistration({ email: "jo@gmail.com", login: "jo@gmail.com" })),
  },
  { name: "progressive profile", headers: json, body: JSON.stringify(progressiveProfile()) },
  { name: "classic registration", headers: json, body: JSON.stringify(classicRegistration()) },
  {
    name: "invalid address",
    headers: json,
    body: JSON.stringify(selfServiceRegistration({ email: "not an address" })),
  },
  {
    name: "no address",
    headers: json,
    body: JSON.stringify(selfServiceRegistration({ email: "", login: "" })),
  },
  { name: "query string", path: "/registrationHook?tenant=a", headers: json, body: good },
  {
    name: "wrong event type",
    headers: json,
    body: good.replace("pre-registration", "import.transform"),
  },
  { name: "missing data", headers: json, body: '{"eventType":"com.okta.user.pre-registration"}' },
  {
    name: "number where a string goes",
    headers: json,
    body: JSON.stringify(selfServiceRegistration({ email: 42 as unknown as string })),
  },
  { name: "malformed JSON", headers: json, body: "{" },
  { name: "JSON null", headers: json, body: "null" },
  { name: "JSON number", headers: json, body: "5" },
  { name: "JSON string", headers: json, body: '"registration"' },
  { name: "JSON array", headers: json, body: "[]" },
  { name: "deep nesting", headers: json, body: `${"[".repeat(5_000)}${"]".repeat(5_000)}` },
  { name: "empty body", headers: json },
  { name: "text/plain", headers: { ...json, "content-type": "text/plain" }, body: good },
  { name: "no content type", headers: { authorization: TEST_SECRET }, body: good },
  {
    name: "cloudevents+json",
    headers: { ...json, "content-type": "application/cloudevents+json" },
    body: good,
  },
  {
    name: "+json with a number",
    headers: { ...json, "content-type": "application/cloudevents+json" },
    body: "5",
  },
  {
    name: "charset utf-16",
    headers: { ...json, "content-type": "application/json; charset=utf-16" },
    body: good,
  },
  {
    name: "charset utf-8",
    headers: { ...json, "content-type": "application/json; charset=UTF-8" },
    body: good,
  },
  { name: "gzip", headers: { ...json, "content-encoding": "gzip" }, body: gzipSync(good) },
  {
    name: "corrupt gzip",
    headers: { ...json, "content-encoding": "gzip" },
    body: Buffer.from("nope"),
  },
  { name: "unknown encoding", headers: { ...json, "content-encoding": "compress" }, body: good },
  {
    name: "too large",
    headers: json,
    body: JSON.stringify(selfServiceRegistration({ padding: "x".repeat(70_000) })),
  },
  { name: "no credentials", headers: { "content-type": "application/json" }, body: good },
  {
    name: "wrong secret",
    headers: { ...json, authorization: "Basic d3Jvbmc6d3Jvbmctc2VjcmV0" },
    body: good,
  },
  { name: "no credentials, broken body", headers: { "content-type": "text/plain" }, body: "{" },
];

/** What must be equal: everything but the request id (and where it is echoed). */
function comparable(res: Awaited<ReturnType<typeof call>>) {
  const { "x-request-id": _id, date: _date, ...headers } = res.headers;
  const text = res.text.replace(/"instance":"[^"]*"/, '"instance":"<id>"');
  return { status: res.status, headers, text };
}

async function answer(service: TestService, c: Case) {
  return comparable(
    await call(service, "POST", c.path ?? "/registrationHook", {
      headers: c.headers,
      ...(c.body === undefined ? {} : { body: c.body }),
    }),
  );
}

describe("the hot path and the general path", () => {
  it("answer every request of the corpus identically", async () => {
    const fast = await startService();
    const general = await startService({}, { fastPath: false });
    const statuses = new Set<number>();
    for (const c of CORPUS) {
      const [a, b] = [await answer(fast, c), await answer(general, c)];
      assert.deepEqual(a, b, c.name);
      statuses.add(a.status);
    }
    // The corpus reaches every kind of answer the hook gives.
    assert.deepEqual([...statuses].sort(), [200, 400, 401, 413, 415]);
  });

  it("are both in use: the general path logs the same one line per call", async () => {
    const general = await startService({}, { fastPath: false });
    await answer(general, CORPUS[0] as Case);
    const lines = general.logs.filter((l) => l.msg === "registration hook decision");
    assert.equal(lines.length, 1);
  });
});
