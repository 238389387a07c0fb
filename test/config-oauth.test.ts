// Unit tests of loadConfig for OAuth mode, the extra secret header, secret rotation and the fail mode.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Config, ConfigError, loadConfig, type OAuthSettings } from "../src/config/index.js";

const SECRET = "Bearer 9f2c1d7e8a4b6c3f0e5d";
const PREVIOUS = "Bearer 1a2b3c4d5e6f7a8b9c0d";
const ISSUER = "https://example.okta.com/oauth2/default";

const OAUTH = {
  HOOK_AUTH_MODE: "oauth",
  OAUTH_ISSUER: ISSUER,
  OAUTH_AUDIENCE: "api://default",
} as const;

type Env = Record<string, string | undefined>;

function configError(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  return assert.fail(`expected ${JSON.stringify(env)} to be refused`);
}

/** Asserts the environment is refused with an error that starts with the setting's name. */
function assertRefusedNaming(env: Env, setting: string, detail?: RegExp): void {
  const error = configError(env);
  assert.ok(
    error.message.startsWith(`${setting}:`),
    `expected the error to name ${setting}: ${error.message}`,
  );
  if (detail) assert.match(error.message, detail);
}

function oauthOf(config: Config): OAuthSettings {
  assert.equal(config.auth.mode, "oauth");
  if (config.auth.mode !== "oauth") return assert.fail("not in oauth mode");
  return config.auth.oauth;
}

describe("loadConfig: HOOK_AUTH_MODE", () => {
  it("defaults to header mode", () => {
    assert.equal(loadConfig({}).auth.mode, "header");
  });

  it("reads oauth in any case", () => {
    assert.equal(loadConfig({ ...OAUTH, HOOK_AUTH_MODE: "OAuth" }).auth.mode, "oauth");
  });

  for (const value of ["jwt", "bearer", "oauth2"]) {
    it(`refuses HOOK_AUTH_MODE=${value}, naming the setting and the choices`, () => {
      assertRefusedNaming({ HOOK_AUTH_MODE: value }, "HOOK_AUTH_MODE", /header, oauth/);
    });
  }
});

describe("loadConfig: oauth mode settings", () => {
  it("reads the issuer, audience, client id, scope and the defaults", () => {
    const oauth = oauthOf(
      loadConfig({ ...OAUTH, OAUTH_CLIENT_ID: "0oa1client", OAUTH_SCOPE: "okta.hooks" }),
    );

    assert.equal(oauth.issuer, ISSUER);
    assert.equal(oauth.audience, "api://default");
    assert.equal(oauth.clientId, "0oa1client");
    assert.equal(oauth.scope, "okta.hooks");
    assert.deepEqual(oauth.algorithms, ["RS256"]);
    assert.equal(oauth.clockToleranceSeconds, 30);
  });

  it("leaves client id and scope unchecked when they are not set", () => {
    const oauth = oauthOf(loadConfig({ ...OAUTH, OAUTH_CLIENT_ID: " ", OAUTH_SCOPE: "" }));

    assert.equal("clientId" in oauth, false);
    assert.equal("scope" in oauth, false);
  });

  for (const name of ["OAUTH_ISSUER", "OAUTH_AUDIENCE"]) {
    it(`requires ${name} in oauth mode, naming it`, () => {
      assertRefusedNaming({ ...OAUTH, [name]: undefined }, name, /required/);
      assertRefusedNaming({ ...OAUTH, [name]: "   " }, name, /required/);
    });
  }

  it("does not need the OAuth settings in header mode", () => {
    assert.equal(loadConfig({ HOOK_AUTH_MODE: "header" }).auth.mode, "header");
  });

  it("defaults the JWKS URI to <issuer>/v1/keys", () => {
    const oauth = oauthOf(loadConfig(OAUTH));

    assert.equal(oauth.jwksUri.href, `${ISSUER}/v1/keys`);
  });

  it("drops trailing slashes on the issuer when deriving the JWKS URI, and keeps the issuer as given", () => {
    const oauth = oauthOf(loadConfig({ ...OAUTH, OAUTH_ISSUER: `${ISSUER}//` }));

    assert.equal(oauth.jwksUri.href, `${ISSUER}/v1/keys`);
    assert.equal(oauth.issuer, `${ISSUER}//`);
  });

  it("uses OAUTH_JWKS_URI when set", () => {
    const oauth = oauthOf(
      loadConfig({ ...OAUTH, OAUTH_JWKS_URI: "https://keys.example.com/jwks.json" }),
    );

    assert.equal(oauth.jwksUri.href, "https://keys.example.com/jwks.json");
  });

  for (const name of ["OAUTH_ISSUER", "OAUTH_JWKS_URI"]) {
    it(`refuses a ${name} that is not an absolute URL, naming it`, () => {
      assertRefusedNaming({ ...OAUTH, [name]: "example.okta.com/keys" }, name, /absolute URL/);
    });

    it(`refuses a ${name} that is not http(s)`, () => {
      assertRefusedNaming({ ...OAUTH, [name]: "ftp://example.okta.com/keys" }, name, /http/);
    });

    it(`refuses an http ${name} in production`, () => {
      assertRefusedNaming(
        { ...OAUTH, NODE_ENV: "production", [name]: "http://example.okta.com/oauth2/default" },
        name,
        /https in production/,
      );
    });

    it(`allows an http ${name} outside production`, () => {
      assert.doesNotThrow(() =>
        loadConfig({ ...OAUTH, [name]: "http://127.0.0.1:8080/oauth2/default" }),
      );
    });
  }

  it("derives an http JWKS URI from an http issuer outside production", () => {
    const oauth = oauthOf(loadConfig({ ...OAUTH, OAUTH_ISSUER: "http://127.0.0.1:8080/oauth2" }));

    assert.equal(oauth.jwksUri.href, "http://127.0.0.1:8080/oauth2/v1/keys");
  });

  it("loads in production with https URLs and without HOOK_AUTH_SECRET", () => {
    const config = loadConfig({ ...OAUTH, NODE_ENV: "production" });

    assert.equal(config.production, true);
    assert.equal(config.auth.mode, "oauth");
    assert.deepEqual(config.auth.secrets, []);
    assert.equal(config.auth.usingDemoSecret, false);
  });
});

describe("loadConfig: OAUTH_ALGORITHMS", () => {
  it('accepts "RS256,ES256"', () => {
    assert.deepEqual(
      oauthOf(loadConfig({ ...OAUTH, OAUTH_ALGORITHMS: "RS256,ES256" })).algorithms,
      ["RS256", "ES256"],
    );
  });

  it("accepts a list separated by spaces and stray commas", () => {
    const oauth = oauthOf(loadConfig({ ...OAUTH, OAUTH_ALGORITHMS: " PS256 , ,EdDSA  ES384," }));

    assert.deepEqual(oauth.algorithms, ["PS256", "EdDSA", "ES384"]);
  });

  for (const value of ["HS256", "RS256,HS256", "none", "RS256 none", "HS512", "rs256"]) {
    it(`refuses OAUTH_ALGORITHMS=${JSON.stringify(value)}, naming the setting`, () => {
      assertRefusedNaming({ ...OAUTH, OAUTH_ALGORITHMS: value }, "OAUTH_ALGORITHMS", /asymmetric/);
    });
  }

  it("refuses a list with no algorithm in it", () => {
    assertRefusedNaming({ ...OAUTH, OAUTH_ALGORITHMS: " , ," }, "OAUTH_ALGORITHMS", /empty/);
  });
});

describe("loadConfig: OAUTH_CLOCK_TOLERANCE", () => {
  for (const [raw, seconds] of [
    ["0", 0],
    ["45", 45],
    ["300", 300],
  ] as const) {
    it(`accepts ${raw} seconds`, () => {
      const oauth = oauthOf(loadConfig({ ...OAUTH, OAUTH_CLOCK_TOLERANCE: raw }));

      assert.equal(oauth.clockToleranceSeconds, seconds);
    });
  }

  for (const raw of ["301", "-1", "1.5", "30s", "abc", "1e2", "Infinity"]) {
    it(`refuses OAUTH_CLOCK_TOLERANCE=${raw}, naming the setting`, () => {
      assertRefusedNaming(
        { ...OAUTH, OAUTH_CLOCK_TOLERANCE: raw },
        "OAUTH_CLOCK_TOLERANCE",
        /0 to 300/,
      );
    });
  }
});

describe("loadConfig: the extra secret header in oauth mode", () => {
  it("takes no secret and x-okta-hook-secret as the header by default", () => {
    const { auth } = loadConfig(OAUTH);

    assert.deepEqual(auth.secrets, []);
    assert.equal(auth.header, "x-okta-hook-secret");
  });

  it("requires the secret in the configured header, lower-cased", () => {
    const { auth } = loadConfig({
      ...OAUTH,
      HOOK_AUTH_SECRET: SECRET,
      HOOK_AUTH_HEADER: "X-Hook-Token",
    });

    assert.deepEqual(auth.secrets, [SECRET]);
    assert.equal(auth.header, "x-hook-token");
  });

  for (const header of ["authorization", "Authorization", "AUTHORIZATION"]) {
    it(`refuses HOOK_AUTH_HEADER=${header} with a secret, as Authorization carries the token`, () => {
      assertRefusedNaming(
        { ...OAUTH, HOOK_AUTH_SECRET: SECRET, HOOK_AUTH_HEADER: header },
        "HOOK_AUTH_HEADER",
        /Authorization/,
      );
    });
  }

  it("refuses an invalid header name", () => {
    assertRefusedNaming(
      { ...OAUTH, HOOK_AUTH_SECRET: SECRET, HOOK_AUTH_HEADER: "x hook secret" },
      "HOOK_AUTH_HEADER",
    );
  });

  it("refuses the demo secret as the extra secret in production", () => {
    assertRefusedNaming(
      { ...OAUTH, NODE_ENV: "production", HOOK_AUTH_SECRET: "Basic YWRtaW46c3VwZXJzZWNyZXQ=" },
      "HOOK_AUTH_SECRET",
      /demo secret/,
    );
  });
});

describe("loadConfig: secret rotation (HOOK_AUTH_SECRET_PREVIOUS)", () => {
  for (const mode of ["header", "oauth"] as const) {
    const env = mode === "oauth" ? OAUTH : { HOOK_AUTH_MODE: "header" };

    it(`refuses HOOK_AUTH_SECRET_PREVIOUS without HOOK_AUTH_SECRET (${mode} mode)`, () => {
      assertRefusedNaming(
        { ...env, HOOK_AUTH_SECRET_PREVIOUS: PREVIOUS },
        "HOOK_AUTH_SECRET_PREVIOUS",
        /without HOOK_AUTH_SECRET/,
      );
    });

    it(`holds the current secret first, then the previous one (${mode} mode)`, () => {
      const { auth } = loadConfig({
        ...env,
        HOOK_AUTH_SECRET: SECRET,
        HOOK_AUTH_SECRET_PREVIOUS: PREVIOUS,
      });

      assert.deepEqual(auth.secrets, [SECRET, PREVIOUS]);
      assert.equal(auth.usingDemoSecret, false);
    });
  }

  it("refuses a short previous secret, naming it without echoing it", () => {
    const error = configError({ HOOK_AUTH_SECRET: SECRET, HOOK_AUTH_SECRET_PREVIOUS: "tooshort" });

    assert.ok(error.message.startsWith("HOOK_AUTH_SECRET_PREVIOUS:"), error.message);
    assert.ok(!error.message.includes("tooshort"));
  });

  it("refuses the demo secret as the previous secret in production", () => {
    assertRefusedNaming(
      {
        NODE_ENV: "production",
        HOOK_AUTH_SECRET: SECRET,
        HOOK_AUTH_SECRET_PREVIOUS: "Basic YWRtaW46c3VwZXJzZWNyZXQ=",
      },
      "HOOK_AUTH_SECRET_PREVIOUS",
      /demo secret/,
    );
  });
});

describe("loadConfig: FAIL_MODE", () => {
  it("defaults to closed", () => {
    assert.equal(loadConfig({}).failMode, "closed");
    assert.equal(loadConfig({ FAIL_MODE: "  " }).failMode, "closed");
  });

  it("reads closed and open in any case", () => {
    assert.equal(loadConfig({ FAIL_MODE: "closed" }).failMode, "closed");
    assert.equal(loadConfig({ FAIL_MODE: "Open" }).failMode, "open");
  });

  for (const value of ["allow", "fail-open", "true", "0"]) {
    it(`refuses FAIL_MODE=${value}, naming the setting and the choices`, () => {
      assertRefusedNaming({ FAIL_MODE: value }, "FAIL_MODE", /closed, open/);
    });
  }
});
