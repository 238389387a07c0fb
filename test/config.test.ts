// Unit tests for loading the service configuration from an environment map.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, DEMO_SECRET, loadConfig } from "../src/config/index.js";
import { allowedDomainsOf } from "./support/policy.js";

const GOOD_SECRET = "Bearer 9f2c1d7e8a4b6c3f0e5d";

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  return assert.fail(`expected ${JSON.stringify(env)} to be refused`);
}

describe("loadConfig: defaults", () => {
  it("uses port 3000, the authorization header, example.com, log level info and the demo secret", () => {
    const config = loadConfig({});

    assert.equal(config.port, 3000);
    assert.equal(config.production, false);
    assert.equal(config.auth.header, "authorization");
    assert.deepEqual(allowedDomainsOf(config), ["example.com"]);
    assert.equal(config.logLevel, "info");
    assert.deepEqual(config.auth.secrets, [DEMO_SECRET]);
    assert.equal(config.auth.usingDemoSecret, true);
  });

  it("uses Okta's example secret as the demo secret", () => {
    assert.equal(DEMO_SECRET, "Basic YWRtaW46c3VwZXJzZWNyZXQ=");
  });

  it("treats empty and whitespace-only values as unset", () => {
    for (const blank of ["", "   ", "\t\n"]) {
      const config = loadConfig({
        PORT: blank,
        HOOK_AUTH_HEADER: blank,
        HOOK_AUTH_SECRET: blank,
        ALLOWED_DOMAINS: blank,
        LOG_LEVEL: blank,
        NODE_ENV: blank,
      });

      assert.equal(config.port, 3000);
      assert.equal(config.auth.header, "authorization");
      assert.deepEqual(allowedDomainsOf(config), ["example.com"]);
      assert.equal(config.logLevel, "info");
      assert.equal(config.auth.usingDemoSecret, true);
      assert.equal(config.production, false);
    }
  });

  it("ignores variables it does not know", () => {
    assert.equal(loadConfig({ HOME: "/root", PATH: "/usr/bin" }).port, 3000);
  });
});

describe("loadConfig: values that are accepted", () => {
  it("reads a port number, trimming surrounding whitespace", () => {
    assert.equal(loadConfig({ PORT: "8080" }).port, 8080);
    assert.equal(loadConfig({ PORT: " 8443 " }).port, 8443);
    assert.equal(loadConfig({ PORT: "0" }).port, 0);
    assert.equal(loadConfig({ PORT: "65535" }).port, 65535);
  });

  it("lower-cases the header name", () => {
    assert.equal(
      loadConfig({ HOOK_AUTH_HEADER: "X-Okta-Hook-Secret" }).auth.header,
      "x-okta-hook-secret",
    );
  });

  it("reads a log level in any case", () => {
    assert.equal(loadConfig({ LOG_LEVEL: "debug" }).logLevel, "debug");
    assert.equal(loadConfig({ LOG_LEVEL: "WARN" }).logLevel, "warn");
    assert.equal(loadConfig({ LOG_LEVEL: "silent" }).logLevel, "silent");
  });

  it("reads a domain list separated by commas and whitespace", () => {
    const config = loadConfig({
      ALLOWED_DOMAINS: "example.com, *.corp.example.org\nbücher.example",
    });

    assert.deepEqual(allowedDomainsOf(config), [
      "example.com",
      "*.corp.example.org",
      "xn--bcher-kva.example",
    ]);
  });

  it("uses a configured secret and does not flag the demo secret", () => {
    const config = loadConfig({ HOOK_AUTH_SECRET: GOOD_SECRET });

    assert.deepEqual(config.auth.secrets, [GOOD_SECRET]);
    assert.equal(config.auth.usingDemoSecret, false);
  });

  it("accepts a secret of exactly 16 characters", () => {
    const secret = "a".repeat(16);

    assert.deepEqual(loadConfig({ HOOK_AUTH_SECRET: secret }).auth.secrets, [secret]);
  });

  it("allows the demo secret set explicitly outside production", () => {
    assert.deepEqual(loadConfig({ HOOK_AUTH_SECRET: DEMO_SECRET }).auth.secrets, [DEMO_SECRET]);
  });

  it("loads in production with a good secret", () => {
    const config = loadConfig({ NODE_ENV: "production", HOOK_AUTH_SECRET: GOOD_SECRET });

    assert.equal(config.production, true);
    assert.deepEqual(config.auth.secrets, [GOOD_SECRET]);
    assert.equal(config.auth.usingDemoSecret, false);
  });
});

describe("loadConfig: bad values name the setting", () => {
  const bad: readonly (readonly [string, Record<string, string>])[] = [
    ["PORT", { PORT: "abc" }],
    ["PORT", { PORT: "70000" }],
    ["PORT", { PORT: "65536" }],
    ["PORT", { PORT: "-1" }],
    ["PORT", { PORT: "80.5" }],
    ["PORT", { PORT: "1e3" }],
    ["HOOK_AUTH_HEADER", { HOOK_AUTH_HEADER: "bad header" }],
    ["HOOK_AUTH_HEADER", { HOOK_AUTH_HEADER: "x-secret:" }],
    ["LOG_LEVEL", { LOG_LEVEL: "loud" }],
    ["ALLOWED_DOMAINS", { ALLOWED_DOMAINS: "*" }],
    ["ALLOWED_DOMAINS", { ALLOWED_DOMAINS: "*.com" }],
    ["ALLOWED_DOMAINS", { ALLOWED_DOMAINS: "not a domain!" }],
    ["ALLOWED_DOMAINS", { ALLOWED_DOMAINS: "example.com, jo@example.org" }],
    ["ALLOWED_DOMAINS", { ALLOWED_DOMAINS: "," }],
  ];

  for (const [name, env] of bad) {
    it(`refuses ${JSON.stringify(env)} naming ${name}`, () => {
      const error = configError(env);

      assert.ok(error.message.startsWith(`${name}: `), error.message);
      assert.equal(error.name, "ConfigError");
      assert.ok(error instanceof Error);
    });
  }
});

describe("loadConfig: the shared secret", () => {
  it("requires HOOK_AUTH_SECRET in production", () => {
    const error = configError({ NODE_ENV: "production" });

    assert.ok(error.message.startsWith("HOOK_AUTH_SECRET: "), error.message);
  });

  it("requires HOOK_AUTH_SECRET in production even when it is blank", () => {
    const error = configError({ NODE_ENV: "production", HOOK_AUTH_SECRET: "  " });

    assert.ok(error.message.startsWith("HOOK_AUTH_SECRET: "), error.message);
  });

  it("refuses the demo secret in production in any spelling", () => {
    for (const secret of [
      "basic YWRtaW46c3VwZXJzZWNyZXQ=",
      "YWRtaW46c3VwZXJzZWNyZXQ=",
      "Basic  YWRtaW46c3VwZXJzZWNyZXQ=",
      "Basic admin:supersecret",
    ]) {
      const error = configError({ NODE_ENV: "production", HOOK_AUTH_SECRET: secret });
      assert.match(error.message, /^HOOK_AUTH_SECRET/, secret);
    }
  });

  it("treats NODE_ENV case-insensitively, so PRODUCTION still needs a real secret", () => {
    const error = configError({ NODE_ENV: "PRODUCTION" });
    assert.match(error.message, /^HOOK_AUTH_SECRET/);
  });

  it("refuses the demo secret in production", () => {
    const error = configError({ NODE_ENV: "production", HOOK_AUTH_SECRET: DEMO_SECRET });

    assert.ok(error.message.startsWith("HOOK_AUTH_SECRET: "), error.message);
    assert.equal(error.message.includes(DEMO_SECRET), false, error.message);
  });

  it("refuses a secret shorter than 16 characters without echoing it", () => {
    const secret = "Zq7shortpw";

    const error = configError({ HOOK_AUTH_SECRET: secret });

    assert.ok(error.message.startsWith("HOOK_AUTH_SECRET: "), error.message);
    assert.equal(error.message.includes(secret), false, error.message);
    assert.equal(error.message.includes("Zq7"), false, error.message);
  });

  it("refuses a 15-character secret", () => {
    const error = configError({ HOOK_AUTH_SECRET: "b".repeat(15) });

    assert.ok(error.message.startsWith("HOOK_AUTH_SECRET: "), error.message);
    assert.equal(error.message.includes("b".repeat(15)), false, error.message);
  });

  it("refuses a short secret in production without echoing it", () => {
    const secret = "Xy9short";

    const error = configError({ NODE_ENV: "production", HOOK_AUTH_SECRET: secret });

    assert.ok(error.message.startsWith("HOOK_AUTH_SECRET: "), error.message);
    assert.equal(error.message.includes(secret), false, error.message);
  });

  it("never echoes the secret when another setting is at fault", () => {
    const error = configError({ HOOK_AUTH_SECRET: GOOD_SECRET, PORT: "abc" });

    assert.ok(error.message.startsWith("PORT: "), error.message);
    assert.equal(error.message.includes(GOOD_SECRET), false, error.message);
  });
});
