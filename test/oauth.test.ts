// OAuth 2.0 bearer tokens over HTTP: Okta-like access tokens checked against a JWKS served on loopback.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type JWTHeaderParameters, SignJWT } from "jose";
import type { Response } from "supertest";
import type { KeySourceOptions } from "../src/auth/oauth.js";
import { ALLOW } from "../src/policy/answer.js";
import {
  call,
  loadConfig,
  startService,
  TEST_SECRET,
  type TestService,
  withoutDebugContext,
} from "./support/app.js";
import { selfServiceRegistration } from "./support/fixtures.js";
import {
  closeAllJwks,
  type JwksServer,
  newSigningKey,
  type SigningKey,
  startJwks,
} from "./support/jwks.js";

const ISSUER = "https://issuer.test/oauth2/default";
const AUDIENCE = "api://default";
const CLIENT_ID = "0oa8hookclient7x1d7";
const SCOPE = "okta.hooks.registration";
const INVALID_TOKEN = 'Bearer error="invalid_token"';

/** Long refresh interval so no background timer fires during the file; short fetch timeout. */
const QUIET: KeySourceOptions = {
  minRefetchIntervalMs: 60_000,
  refreshIntervalMs: 3_600_000,
  fetchTimeoutMs: 500,
};

const services: TestService[] = [];
/** Every compact token this file built, for the log hygiene check. */
const issuedTokens: string[] = [];

function oauthEnv(jwks: JwksServer): Record<string, string> {
  return {
    HOOK_AUTH_MODE: "oauth",
    OAUTH_ISSUER: ISSUER,
    OAUTH_AUDIENCE: AUDIENCE,
    OAUTH_JWKS_URI: jwks.uri,
    OAUTH_CLIENT_ID: CLIENT_ID,
    OAUTH_SCOPE: SCOPE,
    // startService would otherwise require the test secret header too.
    HOOK_AUTH_SECRET: "",
  };
}

async function startOAuthService(
  jwks: JwksServer,
  env: Record<string, string> = {},
  keyOptions: KeySourceOptions = {},
): Promise<TestService> {
  const service = await startService(
    { ...oauthEnv(jwks), ...env },
    { keyOptions: { ...QUIET, ...keyOptions } },
  );
  services.push(service);
  return service;
}

const now = (): number => Math.floor(Date.now() / 1000);

/** Okta-like access token claims; a claim set to undefined is left out. */
function accessTokenClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = now();
  const claims: Record<string, unknown> = {
    ver: 1,
    jti: `AT.${randomUUID()}`,
    iss: ISSUER,
    aud: AUDIENCE,
    iat,
    exp: iat + 3600,
    cid: CLIENT_ID,
    scp: [SCOPE],
    sub: CLIENT_ID,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

async function accessToken(
  key: SigningKey,
  overrides: Record<string, unknown> = {},
  header: Partial<JWTHeaderParameters> = {},
): Promise<string> {
  const token = await new SignJWT(accessTokenClaims(overrides))
    .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT", ...header })
    .sign(key.privateKey);
  issuedTokens.push(token);
  return token;
}

const base64url = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString("base64url");

/** Posts a registration with the given headers; every answer is checked against the spec. */
function callHook(service: TestService, headers: Record<string, string> = {}) {
  return call(service, "POST", "/registrationHook", {
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(selfServiceRegistration()),
  });
}

const withToken = (service: TestService, token: string) =>
  callHook(service, { authorization: `Bearer ${token}` });

const getChecked = (service: TestService, path: string) => call(service, "GET", path);

function assertAllowed(res: Response): void {
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(withoutDebugContext(res.body), ALLOW);
}

/** A 401 problem with the bearer challenge, logged with the given reason. */
function assertRefused(service: TestService, res: Response, reason: string): void {
  assert.equal(res.status, 401, res.text);
  // RFC 6750 section 3.1: no credentials at all get the bare challenge, without an error code.
  assert.equal(res.headers["www-authenticate"], reason === "missing" ? "Bearer" : INVALID_TOKEN);
  assert.equal((res.body as { type?: unknown }).type, "urn:problem:registration-hook:unauthorized");
  const id = res.headers["x-request-id"];
  const line = service.logs.find(
    (l) => l.msg === "authentication failed" && (l.req as { id?: unknown } | undefined)?.id === id,
  );
  assert.equal(line?.reason, reason, "logged reason");
}

/** The internal-failure answer of FAIL_MODE=closed: never a 401 or a 200. */
function assertClosedFailure(res: Response): void {
  assert.equal(res.status, 500, res.text);
  assert.equal(
    (res.body as { type?: unknown }).type,
    "urn:problem:registration-hook:internal-error",
  );
  assert.equal(res.headers["www-authenticate"], undefined);
}

function metricValue(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

let key: SigningKey;
let impostor: SigningKey;
let rotatedOut: SigningKey;
let rotatedIn: SigningKey;
let jwks: JwksServer;
/** The service most tests share: min refetch interval 60 s, so it fetches its JWKS once, at start. */
let service: TestService;

before(async () => {
  [key, impostor, rotatedOut, rotatedIn] = await Promise.all([
    newSigningKey("key-2024"),
    newSigningKey("key-2024"),
    newSigningKey("rot-1"),
    newSigningKey("rot-2"),
  ]);
  jwks = await startJwks(key);
  service = await startOAuthService(jwks);
});

after(async () => {
  for (const s of services) s.app.drain();
  await closeAllJwks();
});

describe("oauth mode: tokens that are accepted", () => {
  it("allows the registration for a valid Okta access token", async () => {
    const res = await withToken(service, await accessToken(key));

    assertAllowed(res);
    assert.equal(res.headers["www-authenticate"], undefined);
  });

  it("reports the keys as ok on /readyz once the JWKS was fetched", async () => {
    const res = await getChecked(service, "/readyz");

    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      status: "ready",
      checks: { config: "ok", keys: "ok", shutdown: "ok" },
    });
  });

  it("accepts a token expired by less than the clock tolerance (30 s)", async () => {
    const token = await accessToken(key, { iat: now() - 3600, exp: now() - 10 });

    assertAllowed(await withToken(service, token));
  });

  it("accepts a token whose nbf is ahead by less than the clock tolerance", async () => {
    const token = await accessToken(key, { nbf: now() + 10 });

    assertAllowed(await withToken(service, token));
  });

  it("accepts an audience array that contains the expected audience", async () => {
    const token = await accessToken(key, { aud: ["api://other", AUDIENCE] });

    assertAllowed(await withToken(service, token));
  });

  it("accepts the required scope among others in scp", async () => {
    const token = await accessToken(key, { scp: ["openid", SCOPE, "profile"] });

    assertAllowed(await withToken(service, token));
  });

  it("accepts the scope in a space-separated `scope` string claim", async () => {
    const token = await accessToken(key, { scp: undefined, scope: `openid ${SCOPE} profile` });

    assertAllowed(await withToken(service, token));
  });

  it("accepts the Bearer scheme in any case", async () => {
    const res = await callHook(service, { authorization: `bearer ${await accessToken(key)}` });

    assertAllowed(res);
  });
});

describe("oauth mode: tokens that are refused with 401 and the bearer challenge", () => {
  it("refuses an expired token", async () => {
    const token = await accessToken(key, { iat: now() - 7200, exp: now() - 120 });

    assertRefused(service, await withToken(service, token), "expired");
  });

  it("refuses a token not yet valid (nbf beyond the clock tolerance)", async () => {
    const token = await accessToken(key, { nbf: now() + 120 });

    assertRefused(service, await withToken(service, token), "not-yet-valid");
  });

  it("refuses a token without exp", async () => {
    const token = await accessToken(key, { exp: undefined });

    assertRefused(service, await withToken(service, token), "invalid");
  });

  it("refuses a token from another issuer", async () => {
    const token = await accessToken(key, { iss: "https://issuer.test/oauth2/other" });

    assertRefused(service, await withToken(service, token), "issuer");
  });

  it("refuses a token for another audience", async () => {
    const token = await accessToken(key, { aud: "api://other" });

    assertRefused(service, await withToken(service, token), "audience");
  });

  it("refuses an audience array without the expected audience", async () => {
    const token = await accessToken(key, { aud: ["api://other", "api://third"] });

    assertRefused(service, await withToken(service, token), "audience");
  });

  it("refuses a token issued to another client (cid)", async () => {
    const token = await accessToken(key, { cid: "0oaSomeOtherClient" });

    assertRefused(service, await withToken(service, token), "client");
  });

  it("refuses a token without cid", async () => {
    const token = await accessToken(key, { cid: undefined });

    assertRefused(service, await withToken(service, token), "client");
  });

  it("refuses a token without the required scope", async () => {
    const token = await accessToken(key, { scp: ["openid", "profile"] });

    assertRefused(service, await withToken(service, token), "scope");
  });

  it("refuses a token with no scope claim at all", async () => {
    const token = await accessToken(key, { scp: undefined });

    assertRefused(service, await withToken(service, token), "scope");
  });

  it("refuses a scope that only contains the required one as a substring", async () => {
    const token = await accessToken(key, { scp: [`${SCOPE}.admin`, `x${SCOPE}`] });

    assertRefused(service, await withToken(service, token), "scope");
  });

  it("refuses a token whose kid the JWKS does not publish", async () => {
    const before = jwks.hits;

    const token = await accessToken(key, {}, { kid: "no-such-key" });

    assertRefused(service, await withToken(service, token), "unknown-key");
    assert.equal(jwks.hits, before, "no refetch inside the min refetch interval");
  });

  it("refuses an unsigned token (alg none), with or without a signature part", async () => {
    const unsigned = `${base64url({ alg: "none", typ: "JWT" })}.${base64url(accessTokenClaims())}`;
    issuedTokens.push(`${unsigned}.`);

    assertRefused(service, await withToken(service, `${unsigned}.`), "malformed");
    assertRefused(service, await withToken(service, `${unsigned}.c2lnbmF0dXJl`), "algorithm");
  });

  it("refuses HS256 tokens signed with the RSA public key as the HMAC secret", async () => {
    const secrets = [
      new TextEncoder().encode(key.spki),
      new TextEncoder().encode(JSON.stringify(key.jwk)),
      Buffer.from(String(key.jwk.n), "base64url"),
    ];
    for (const secret of secrets) {
      const token = await new SignJWT(accessTokenClaims())
        .setProtectedHeader({ alg: "HS256", kid: key.kid, typ: "JWT" })
        .sign(secret);
      issuedTokens.push(token);

      assertRefused(service, await withToken(service, token), "algorithm");
    }
  });

  it("refuses a token signed by another key that claims the published kid", async () => {
    const token = await accessToken(impostor);

    assertRefused(service, await withToken(service, token), "bad-signature");
  });

  it("refuses a token whose payload was altered after signing", async () => {
    const [header, , signature] = (await accessToken(key)).split(".");
    const altered = `${header}.${base64url(accessTokenClaims({ sub: "attacker" }))}.${signature}`;

    assertRefused(service, await withToken(service, altered), "bad-signature");
  });

  it("refuses a token sent without the Bearer prefix", async () => {
    const res = await callHook(service, { authorization: await accessToken(key) });

    assertRefused(service, res, "malformed");
  });

  it("refuses a token sent under another scheme", async () => {
    const res = await callHook(service, { authorization: `Basic ${await accessToken(key)}` });

    assertRefused(service, res, "malformed");
  });

  it("refuses a call without an Authorization header", async () => {
    assertRefused(service, await callHook(service), "missing");
  });

  it("refuses the shared secret alone, in Authorization or in its own header", async () => {
    assertRefused(service, await callHook(service, { authorization: TEST_SECRET }), "malformed");
    assertRefused(
      service,
      await callHook(service, { "x-okta-hook-secret": TEST_SECRET }),
      "missing",
    );
  });
});

describe("oauth mode with an extra shared-secret header", () => {
  const PREVIOUS_SECRET = "previous-secret-being-rotated-out";
  let secured: TestService;
  before(async () => {
    secured = await startOAuthService(jwks, {
      HOOK_AUTH_SECRET: TEST_SECRET,
      HOOK_AUTH_SECRET_PREVIOUS: PREVIOUS_SECRET,
    });
  });

  it("accepts a valid token with the right secret header", async () => {
    const res = await callHook(secured, {
      authorization: `Bearer ${await accessToken(key)}`,
      "x-okta-hook-secret": TEST_SECRET,
    });

    assertAllowed(res);
  });

  it("accepts the previous secret while it is being rotated out", async () => {
    const res = await callHook(secured, {
      authorization: `Bearer ${await accessToken(key)}`,
      "x-okta-hook-secret": PREVIOUS_SECRET,
    });

    assertAllowed(res);
  });

  it("refuses a valid token without the secret header", async () => {
    const res = await withToken(secured, await accessToken(key));

    assertRefused(secured, res, "wrong-secret");
  });

  it("refuses a valid token with a wrong secret header", async () => {
    const res = await callHook(secured, {
      authorization: `Bearer ${await accessToken(key)}`,
      "x-okta-hook-secret": `${TEST_SECRET}x`,
    });

    assertRefused(secured, res, "wrong-secret");
  });

  it("refuses the secret header without a token", async () => {
    const res = await callHook(secured, { "x-okta-hook-secret": TEST_SECRET });

    assertRefused(secured, res, "missing");
  });

  it("refuses the right secret with an invalid token, naming the token's fault", async () => {
    const res = await callHook(secured, {
      authorization: `Bearer ${await accessToken(key, { aud: "api://other" })}`,
      "x-okta-hook-secret": TEST_SECRET,
    });

    assertRefused(secured, res, "audience");
  });
});

describe("oauth mode: signing key rotation", () => {
  let rotating: JwksServer;
  let rotatingService: TestService;
  before(async () => {
    rotating = await startJwks(rotatedOut);
    rotatingService = await startOAuthService(rotating, {}, { minRefetchIntervalMs: 0 });
  });

  it("accepts a token signed by a newly published key, after one refetch", async () => {
    assertAllowed(await withToken(rotatingService, await accessToken(rotatedOut)));
    rotating.publish(rotatedOut, rotatedIn);
    const before = rotating.hits;

    const res = await withToken(rotatingService, await accessToken(rotatedIn));

    assertAllowed(res);
    assert.equal(rotating.hits - before, 1);
  });

  it("keeps accepting the old key while it is still published, without refetching", async () => {
    const before = rotating.hits;

    const res = await withToken(rotatingService, await accessToken(rotatedOut));

    assertAllowed(res);
    assert.equal(rotating.hits, before);
  });

  it("refuses a withdrawn key once the key set has been fetched again", async () => {
    rotating.publish(rotatedIn);
    const stranger = await accessToken(rotatedIn, {}, { kid: "rot-unknown" });
    assertRefused(rotatingService, await withToken(rotatingService, stranger), "unknown-key");

    const res = await withToken(rotatingService, await accessToken(rotatedOut));

    assertRefused(rotatingService, res, "unknown-key");
    assertAllowed(await withToken(rotatingService, await accessToken(rotatedIn)));
  });

  it("keeps the cached keys when a refetch fails, and goes on accepting valid tokens", async () => {
    rotating.availability = "reset";
    const before = rotating.hits;
    const stranger = await accessToken(rotatedIn, {}, { kid: "rot-unknown" });
    assertRefused(rotatingService, await withToken(rotatingService, stranger), "unknown-key");
    assert.equal(rotating.hits - before, 1, "one failed refetch");

    for (let i = 0; i < 3; i += 1) {
      assertAllowed(await withToken(rotatingService, await accessToken(rotatedIn)));
    }
    const ready = await getChecked(rotatingService, "/readyz");

    assert.equal(ready.status, 200);
    assert.equal((ready.body as { checks: { keys: string } }).checks.keys, "ok");
  });
});

describe("oauth mode: JWKS refetch rate limit", () => {
  it("fetches the JWKS at most once more for a flood of 50 tokens with unknown kids", async () => {
    const before = jwks.hits;
    const tokens = await Promise.all(
      Array.from({ length: 50 }, () => accessToken(key, {}, { kid: randomUUID() })),
    );

    const answers = await Promise.all(tokens.map((token) => withToken(service, token)));

    for (const res of answers) assertRefused(service, res, "unknown-key");
    assert.ok(jwks.hits - before <= 1, `${jwks.hits - before} JWKS fetches`);
    assert.ok(jwks.hits <= 2, `${jwks.hits} JWKS fetches in all`);
  });
});

describe("oauth mode: JWKS outages", () => {
  it("keeps accepting valid tokens with the cached keys while the JWKS is down", async () => {
    jwks.availability = "reset";
    try {
      for (let i = 0; i < 3; i += 1) {
        assertAllowed(await withToken(service, await accessToken(key)));
      }
      const ready = await getChecked(service, "/readyz");

      assert.equal(ready.status, 200);
      assert.equal((ready.body as { checks: { keys: string } }).checks.keys, "ok");
    } finally {
      jwks.availability = "up";
    }
  });

  it("refuses a reload while the JWKS is down and keeps verifying with the keys in hand", async () => {
    const reloading = await startOAuthService(jwks);
    jwks.availability = "reset";
    try {
      const next = loadConfig({ ...oauthEnv(jwks), ALLOWED_DOMAINS: "example.com, example.org" });
      await assert.rejects(reloading.app.reload(next), /signing keys could not be fetched/);
      assertAllowed(await withToken(reloading, await accessToken(key)));
      const forged = `${(await accessToken(key)).split(".").slice(0, 2).join(".")}.AAAA`;
      assert.equal((await withToken(reloading, forged)).status, 401);
    } finally {
      jwks.availability = "up";
    }
  });

  describe("when no key was ever fetched", () => {
    let down: JwksServer;
    let outage: TestService;
    before(async () => {
      down = await startJwks(key);
      down.availability = "error";
      outage = await startOAuthService(down, {}, { minRefetchIntervalMs: 0 });
    });

    it("is not ready, and answers a hook call 500 (FAIL_MODE=closed), never 401 or 200", async () => {
      const ready = await getChecked(outage, "/readyz");
      const res = await withToken(outage, await accessToken(key));

      assert.equal(ready.status, 503);
      assert.deepEqual(ready.body, {
        status: "not-ready",
        checks: { config: "ok", keys: "failing", shutdown: "ok" },
      });
      assertClosedFailure(res);
      const metrics = await getChecked(outage, "/metrics");
      assert.equal(
        metricValue(metrics.text, 'registration_hook_internal_failures_total{fail_mode="closed"}'),
        1,
      );
      assert.equal(
        metricValue(
          metrics.text,
          'registration_hook_auth_failures_total{reason="keys-unavailable"}',
        ),
        undefined,
      );
    });

    it("gives up on a JWKS endpoint that does not answer after fetchTimeoutMs", async () => {
      down.availability = "hang";
      const started = Date.now();

      const res = await withToken(outage, await accessToken(key));

      assertClosedFailure(res);
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 2_000, `took ${elapsed} ms with fetchTimeoutMs 500`);
    });

    it("answers 204 with FAIL_MODE=open, never 401 or 200", async () => {
      down.availability = "error";
      await outage.app.reload(
        loadConfig({ ALLOWED_DOMAINS: "example.com", ...oauthEnv(down), FAIL_MODE: "open" }),
      );

      const res = await withToken(outage, await accessToken(key));

      assert.equal(res.status, 204);
      assert.equal(res.text ?? "", "");
      assert.equal((await getChecked(outage, "/readyz")).status, 503);
    });

    it("recovers once the JWKS comes back: the call is accepted and /readyz is 200", async () => {
      down.availability = "up";

      const res = await withToken(outage, await accessToken(key));
      const ready = await getChecked(outage, "/readyz");

      assertAllowed(res);
      assert.equal(ready.status, 200);
    });
  });
});

describe("oauth mode: logs and metrics", () => {
  it("never writes a token, or its signature, to the logs", async () => {
    await withToken(service, await accessToken(key));
    await withToken(service, await accessToken(key, { exp: now() - 600 }));
    await withToken(service, await accessToken(impostor));
    assert.ok(issuedTokens.length > 0);

    for (const target of services) {
      const logs = target.rawLogs();
      for (const token of issuedTokens) {
        assert.ok(!logs.includes(token), "a compact token is in the logs");
        const signature = token.split(".")[2] ?? "";
        if (signature !== "") assert.ok(!logs.includes(signature), "a signature is in the logs");
      }
    }
  });

  it("counts auth failures by reason on /metrics", async () => {
    const before = await getChecked(service, "/metrics");
    await withToken(service, await accessToken(key, { exp: now() - 600 }));
    await withToken(service, await accessToken(key, { exp: now() - 900 }));
    await withToken(service, await accessToken(key, { iss: "https://elsewhere.test" }));
    await withToken(service, await accessToken(impostor));
    await callHook(service);
    await withToken(service, await accessToken(key));

    const after = await getChecked(service, "/metrics");

    assert.equal(after.status, 200);
    const counted = (reason: string) => {
      const series = `registration_hook_auth_failures_total{reason="${reason}"}`;
      return (metricValue(after.text, series) ?? 0) - (metricValue(before.text, series) ?? 0);
    };
    assert.equal(counted("expired"), 2);
    assert.equal(counted("issuer"), 1);
    assert.equal(counted("bad-signature"), 1);
    assert.equal(counted("missing"), 1);
    assert.equal(counted("audience"), 0);
  });
});
