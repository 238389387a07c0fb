// A reload never mixes configurations: a call in flight is authenticated and decided by the one it arrived under.
import assert from "node:assert/strict";
import { after, it } from "node:test";
import { SignJWT } from "jose";
import { ALLOW } from "../src/policy/answer.js";
import { call, loadConfig, startService, withoutDebugContext } from "./support/app.js";
import { selfServiceRegistration } from "./support/fixtures.js";
import { closeAllJwks, newSigningKey, startJwks } from "./support/jwks.js";

after(closeAllJwks);

it("decides a call in flight across a reload by the configuration it started with", async () => {
  const key = await newSigningKey("k1");
  const jwks = await startJwks();
  const env = (domains: string) => ({
    HOOK_AUTH_MODE: "oauth",
    OAUTH_ISSUER: "https://issuer.test/oauth2/default",
    OAUTH_AUDIENCE: "api://default",
    OAUTH_JWKS_URI: jwks.uri,
    HOOK_AUTH_SECRET: "",
    ALLOWED_DOMAINS: domains,
  });
  const service = await startService(env("example.com"), {
    keyOptions: { minRefetchIntervalMs: 0, refreshIntervalMs: 3_600_000 },
  });
  const token = await new SignJWT({
    iss: "https://issuer.test/oauth2/default",
    aud: "api://default",
    exp: Math.floor(Date.now() / 1000) + 600,
  })
    .setProtectedHeader({ alg: "RS256", kid: key.kid })
    .sign(key.privateKey);
  // Okta rotates its signing key: the call names a key the service has not fetched yet; that fetch is slow.
  jwks.publish(key);
  jwks.availability = "hold";
  const pending = call(service, "POST", "/registrationHook", {
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(selfServiceRegistration()),
  });
  await jwks.heldRequests(1);
  // Meanwhile an operator reloads with another allow-list.
  jwks.availability = "up";
  await service.app.reload(loadConfig(env("other.test")));
  jwks.releaseHeld();
  const answer = await pending;
  assert.equal(answer.status, 200);
  // The call arrived under example.com and was authenticated by the old runtime: it should be allowed.
  assert.deepEqual(withoutDebugContext(answer.body), ALLOW);
});
