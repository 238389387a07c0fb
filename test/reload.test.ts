// A reload never mixes configurations: a call in flight is authenticated and decided by the one it arrived under.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { it } from "node:test";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { loadConfig } from "../src/config.js";
import { assertMatchesSpec, startService } from "./support/app.js";
import { selfServiceRegistration } from "./support/fixtures.js";

it("decides a call in flight across a reload by the configuration it started with", async () => {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  let keys: unknown[] = [];
  let hold = false;
  const held: ServerResponse[] = [];
  const jwks = createServer((_req, res) => {
    if (hold) {
      held.push(res);
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys }));
  });
  jwks.listen(0, "127.0.0.1");
  await once(jwks, "listening");
  const env = (domains: string) => ({
    HOOK_AUTH_MODE: "oauth",
    OAUTH_ISSUER: "https://issuer.test/oauth2/default",
    OAUTH_AUDIENCE: "api://default",
    OAUTH_JWKS_URI: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/keys`,
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
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .sign(privateKey);
  // Okta rotates its signing key: the call names a key the service has not fetched yet; that fetch is slow.
  keys = [jwk];
  hold = true;
  const call = service.request
    .post("/registrationHook")
    .set("content-type", "application/json")
    .set("authorization", `Bearer ${token}`)
    .send(JSON.stringify(selfServiceRegistration()))
    .then((r) => r);
  while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
  // Meanwhile an operator reloads with another allow-list.
  hold = false;
  await service.app.reload(loadConfig(env("other.test")));
  for (const res of held)
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys }));
  const answer = await call;
  assertMatchesSpec(answer);
  jwks.closeAllConnections();
  jwks.close();
  assert.equal(answer.status, 200);
  // The call arrived under example.com and was authenticated by the old runtime: it should be allowed.
  assert.deepEqual(answer.body, {
    commands: [{ type: "com.okta.action.update", value: { registration: "ALLOW" } }],
  });
});
