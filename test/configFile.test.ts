// Unit tests for CONFIG_FILE: reading the file (parseConfigFile, readConfigFile), and laying the
// environment over it down to a loaded configuration (loadConfig, the one validator).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { parseConfigFile, readConfigFile } from "../src/config/file.js";
import { type Config, ConfigError, loadConfig } from "../src/config/index.js";
import { configFileSchema, SETTING_NAMES, SETTINGS, type Setting } from "../src/config/settings.js";
import { allowedDomainsOf } from "./support/policy.js";

const EXAMPLE_FILE = fileURLToPath(new URL("../config/example.yaml", import.meta.url));
const FILE_SECRET = "Basic ZmlsZTpzZWNyZXQtZnJvbS10aGUtZmlsZQ==";
const OAUTH_FILE = "OAUTH_ISSUER: https://issuer.example\nOAUTH_AUDIENCE: api://default\n";

let dir = "";
let fileCount = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "config-file-test-"));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `text` to a fresh file in the test directory and returns its path. */
async function configFile(text: string, extension = "yaml"): Promise<string> {
  fileCount += 1;
  const path = join(dir, `config-${fileCount}.${extension}`);
  await writeFile(path, text);
  return path;
}

/** The ConfigError `action` throws; fails if it throws nothing or something else. */
function configError(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  return assert.fail("expected a ConfigError, but nothing was thrown");
}

/** Loads a configuration from a file's text alone. */
function fromText(text: string): Config {
  return loadConfig({}, parseConfigFile(text));
}

/** Loads a configuration as the server does: the environment over the file CONFIG_FILE names. */
function fromFile(env: Record<string, string | undefined>): Config {
  return loadConfig(env, readConfigFile(env));
}

describe("CONFIG_FILE: what a valid file gives", () => {
  it("reads YAML, numbers and strings alike", () => {
    const config = fromText(
      [
        "# comments are fine",
        "PORT: 8080",
        "ALLOWED_DOMAINS: example.com",
        "HOOK_AUTH_MODE: header",
        "HOOK_AUTH_HEADER: x-okta-secret",
        `HOOK_AUTH_SECRET: "${FILE_SECRET}"`,
        "FAIL_MODE: open",
        "LOG_LEVEL: warn",
        "DOCS: off",
      ].join("\n"),
    );
    assert.equal(config.port, 8080);
    assert.deepEqual(allowedDomainsOf(config), ["example.com"]);
    assert.equal(config.auth.header, "x-okta-secret");
    assert.deepEqual(config.auth.secrets, [FILE_SECRET]);
    assert.equal(config.failMode, "open");
    assert.equal(config.logLevel, "warn");
    assert.equal(config.docs, false);
  });

  it("reads JSON, and a port written as a string", () => {
    const config = fromText(JSON.stringify({ PORT: "0", ALLOWED_DOMAINS: ["example.com"] }));
    assert.equal(config.port, 0);
    assert.deepEqual(allowedDomainsOf(config), ["example.com"]);
  });

  it("keeps lists as lists, in YAML flow and block style and in JSON", () => {
    assert.deepEqual(parseConfigFile("ALLOWED_DOMAINS: [a.example, b.example]"), {
      ALLOWED_DOMAINS: ["a.example", "b.example"],
    });
    assert.deepEqual(
      allowedDomainsOf(fromText('ALLOWED_DOMAINS:\n  - example.com\n  - "*.example.com"\n')),
      ["example.com", "*.example.com"],
    );
    const oauth = fromText(
      JSON.stringify({
        HOOK_AUTH_MODE: "oauth",
        OAUTH_ISSUER: "https://issuer.example/oauth2/default",
        OAUTH_AUDIENCE: "api://default",
        OAUTH_ALGORITHMS: ["RS256", "ES256"],
      }),
    );
    assert.ok(oauth.auth.mode === "oauth");
    assert.deepEqual(oauth.auth.oauth.algorithms, ["RS256", "ES256"]);
  });

  it("gives a list the same domains as the environment's comma list", () => {
    const listed = fromText("ALLOWED_DOMAINS: [a.example, '*.b.example']");
    const fromEnv = loadConfig({ ALLOWED_DOMAINS: "a.example,*.b.example" });
    assert.deepEqual(allowedDomainsOf(listed), allowedDomainsOf(fromEnv));
    assert.deepEqual(allowedDomainsOf(listed), ["a.example", "*.b.example"]);
  });

  it("reads choices in any case, as the environment does", () => {
    const config = fromText("LOG_LEVEL: INFO\nFAIL_MODE: Open\nHOOK_AUTH_MODE: Header");
    assert.equal(config.logLevel, "info");
    assert.equal(config.failMode, "open");
    assert.equal(config.auth.mode, "header");
  });

  it("reads an empty file, or one of comments only, as setting nothing", () => {
    assert.deepEqual(parseConfigFile(""), {});
    assert.deepEqual(parseConfigFile("# nothing here yet\n"), {});
  });
});

describe("CONFIG_FILE: refusals, each naming the setting", () => {
  it("refuses an unknown key, naming it", () => {
    const error = configError(() => fromText("ALLOWED_DOMAINS: example.com\nALOWED: x"));
    assert.match(error.message, /^CONFIG_FILE\b/);
    assert.match(error.message, /"ALOWED" is not a known setting/);
  });

  it("refuses settings read only from the environment (WORKERS, NODE_ENV, CONFIG_FILE) as unknown", () => {
    for (const name of ["WORKERS", "NODE_ENV", "CONFIG_FILE"]) {
      const error = configError(() => fromText(`${name}: "2"`));
      assert.match(error.message, new RegExp(`"${name}" is not a known setting`));
    }
  });

  const wrong: [string, string, string][] = [
    ["a number for a domain list", "ALLOWED_DOMAINS: 5", "ALLOWED_DOMAINS"],
    ["an empty domain list", "ALLOWED_DOMAINS: []", "ALLOWED_DOMAINS"],
    ["an empty domain string", 'ALLOWED_DOMAINS: ""', "ALLOWED_DOMAINS"],
    ["a map for a domain list", "ALLOWED_DOMAINS: { a: b }", "ALLOWED_DOMAINS"],
    ["a bare * for a domain list", 'ALLOWED_DOMAINS: "*"', "ALLOWED_DOMAINS"],
    ["a fractional port", "PORT: 80.5", "PORT"],
    ["a boolean port", "PORT: true", "PORT"],
    ["a port word", 'PORT: "eighty"', "PORT"],
    ["a list for a header name", "HOOK_AUTH_HEADER: [a, b]", "HOOK_AUTH_HEADER"],
    ["an unknown FAIL_MODE", "FAIL_MODE: sometimes", "FAIL_MODE"],
    ["an unknown HOOK_AUTH_MODE", "HOOK_AUTH_MODE: basic", "HOOK_AUTH_MODE"],
    ["an unknown LOG_LEVEL", "LOG_LEVEL: loud", "LOG_LEVEL"],
    ["an unknown DOCS", "DOCS: maybe", "DOCS"],
    ["a null value", "LOG_LEVEL:", "LOG_LEVEL"],
  ];
  for (const [what, text, setting] of wrong) {
    it(`refuses ${what}, naming ${setting}`, () => {
      const error = configError(() => fromText(text));
      assert.match(error.message, new RegExp(`^CONFIG_FILE ${setting}: `));
    });
  }

  it("refuses a secret shorter than 16 characters without repeating it", () => {
    for (const setting of ["HOOK_AUTH_SECRET", "HOOK_AUTH_SECRET_PREVIOUS"]) {
      const current = setting === "HOOK_AUTH_SECRET" ? "" : `HOOK_AUTH_SECRET: "${FILE_SECRET}"\n`;
      const text = `${current}${setting}: "Basic abc123xyz"`;
      const error = configError(() => fromText(text));
      assert.match(error.message, new RegExp(`^CONFIG_FILE ${setting}: `));
      assert.match(error.message, /16 characters/);
      assert.doesNotMatch(error.message, /abc123xyz/);
    }
  });

  const invalid: [string, string][] = [
    ["an unclosed flow list", "ALLOWED_DOMAINS: [example.com"],
    ["bad indentation", "ALLOWED_DOMAINS:\n  - a.example\n - b.example"],
    ["a duplicated key", "LOG_LEVEL: info\nLOG_LEVEL: debug"],
    ["two YAML documents", "LOG_LEVEL: info\n---\nLOG_LEVEL: debug"],
    ["a JSON object left open", '{"ALLOWED_DOMAINS": "example.com"'],
    ["a tab used for indentation", "ALLOWED_DOMAINS:\n\t- example.com"],
  ];
  for (const [what, text] of invalid) {
    it(`refuses invalid YAML (${what}), naming CONFIG_FILE`, () => {
      const error = configError(() => parseConfigFile(text));
      assert.equal(error.message, "CONFIG_FILE: is neither valid YAML nor JSON");
    });
  }

  it("refuses a file that is not a map of settings", () => {
    for (const text of ["- ALLOWED_DOMAINS", '"example.com"', "42"]) {
      const error = configError(() => parseConfigFile(text));
      assert.match(error.message, /^CONFIG_FILE: /);
    }
  });

  it("refuses an empty algorithm in a list instead of falling back to RS256", () => {
    const error = configError(() =>
      fromText(
        'HOOK_AUTH_MODE: oauth\nOAUTH_ISSUER: https://i.example\nOAUTH_AUDIENCE: a\nOAUTH_ALGORITHMS: [""]',
      ),
    );
    assert.match(error.message, /^CONFIG_FILE OAUTH_ALGORITHMS\[0\]: /);
  });

  it("names the empty entry of a list with an empty domain", () => {
    const error = configError(() => fromText('ALLOWED_DOMAINS: [a.com, ""]'));
    assert.match(error.message, /^CONFIG_FILE ALLOWED_DOMAINS\[1\]: must be a non-empty string/);
  });
});

describe("readConfigFile and the environment", () => {
  it("reads nothing when CONFIG_FILE is unset or blank", () => {
    assert.deepEqual(readConfigFile({ ALLOWED_DOMAINS: "example.com" }), {});
    assert.deepEqual(readConfigFile({ CONFIG_FILE: "  " }), {});
  });

  it("reads a YAML file and a JSON file", async () => {
    const yaml = await configFile("ALLOWED_DOMAINS: [a.example, b.example]\nFAIL_MODE: open\n");
    const json = await configFile('{"ALLOWED_DOMAINS": "c.example", "LOG_LEVEL": "warn"}', "json");
    assert.deepEqual(readConfigFile({ CONFIG_FILE: yaml }), {
      ALLOWED_DOMAINS: ["a.example", "b.example"],
      FAIL_MODE: "open",
    });
    assert.deepEqual(readConfigFile({ CONFIG_FILE: json }), {
      ALLOWED_DOMAINS: "c.example",
      LOG_LEVEL: "warn",
    });
  });

  it("lets a non-empty environment variable win over the file", async () => {
    const path = await configFile("ALLOWED_DOMAINS: file.example\nLOG_LEVEL: warn\n");
    const config = fromFile({ CONFIG_FILE: path, ALLOWED_DOMAINS: "env.example" });
    assert.deepEqual(allowedDomainsOf(config), ["env.example"]);
    assert.equal(config.logLevel, "warn");
  });

  it("keeps the file's value when the environment variable is empty or blank", async () => {
    const path = await configFile("ALLOWED_DOMAINS: file.example\n");
    for (const blank of ["", "   ", "\t", undefined]) {
      const config = fromFile({ CONFIG_FILE: path, ALLOWED_DOMAINS: blank });
      assert.deepEqual(allowedDomainsOf(config), ["file.example"], `env ${blank}`);
    }
  });

  it("takes the settings the file cannot hold (NODE_ENV) from the environment", async () => {
    const path = await configFile(`HOOK_AUTH_SECRET: "${FILE_SECRET}"\n`);
    const config = fromFile({ CONFIG_FILE: path, NODE_ENV: "production" });
    assert.equal(config.production, true);
    assert.deepEqual(config.auth.secrets, [FILE_SECRET]);
    assert.equal(config.auth.usingDemoSecret, false);
  });

  it("refuses a CONFIG_FILE that does not exist, naming the path", () => {
    const missing = join(dir, "no-such-file.yaml");
    const error = configError(() => readConfigFile({ CONFIG_FILE: missing }));
    assert.equal(error.message, `CONFIG_FILE: cannot read "${missing}"`);
  });

  it("refuses a CONFIG_FILE that is a directory", async () => {
    const sub = join(dir, "a-directory");
    await mkdir(sub);
    const error = configError(() => readConfigFile({ CONFIG_FILE: sub }));
    assert.match(error.message, /^CONFIG_FILE: cannot read/);
  });

  it("refuses an unknown key even when the environment sets every value the file holds", async () => {
    const path = await configFile("ALLOWED_DOMAINS: example.com\nBOGUS: 1\n");
    const error = configError(() =>
      fromFile({ CONFIG_FILE: path, ALLOWED_DOMAINS: "example.com" }),
    );
    assert.match(error.message, /"BOGUS" is not a known setting/);
  });

  it("loads the shipped config/example.yaml", () => {
    const config = fromFile({ CONFIG_FILE: EXAMPLE_FILE });
    assert.deepEqual(allowedDomainsOf(config), ["example.com", "*.example.com"]);
    assert.equal(config.auth.mode, "header");
    assert.equal(config.auth.header, "authorization");
    assert.equal(config.failMode, "closed");
    assert.equal(config.logLevel, "info");
  });

  it("uses a file secret of 16 characters or more", async () => {
    const path = await configFile(
      `HOOK_AUTH_SECRET: "${FILE_SECRET}"\nHOOK_AUTH_SECRET_PREVIOUS: "0123456789abcdef"\n`,
    );
    assert.deepEqual(fromFile({ CONFIG_FILE: path }).auth.secrets, [
      FILE_SECRET,
      "0123456789abcdef",
    ]);
  });

  it("lets an environment PORT cover a file PORT that is invalid", async () => {
    const path = await configFile('PORT: "eighty"\n');
    assert.equal(fromFile({ CONFIG_FILE: path, PORT: "8080" }).port, 8080);
  });
});

describe("config/config.schema.json and the loader: one source of truth", () => {
  const schema = JSON.parse(
    readFileSync(new URL("../config/config.schema.json", import.meta.url), "utf8"),
  ) as { properties: Record<string, { enum?: string[]; default?: string; oneOf?: unknown[] }> };
  const validate = new Ajv({ strict: true, allowUnionTypes: true }).compile(schema);

  it("is what npm run generate writes from the settings table", () => {
    assert.deepEqual(schema, configFileSchema());
  });

  it("names every setting the loader reads from a file, and no other", () => {
    assert.deepEqual(Object.keys(schema.properties).sort(), [...SETTING_NAMES].sort());
    for (const name of SETTING_NAMES) {
      assert.doesNotThrow(() => parseConfigFile(`${name}: x`), name);
    }
  });

  for (const name of SETTING_NAMES) {
    const setting: Setting = SETTINGS[name];
    if (setting.kind !== "choice") continue;
    it(`lists exactly the choices of ${name} the loader accepts, with its default`, () => {
      assert.deepEqual(schema.properties[name]?.enum, [...setting.choices]);
      assert.equal(schema.properties[name]?.default, setting.default);
      for (const choice of setting.choices) {
        assert.ok(validate({ [name]: choice }), `${name}: ${choice} passes the schema`);
        const text = name === "HOOK_AUTH_MODE" && choice === "oauth" ? OAUTH_FILE : "";
        assert.doesNotThrow(
          () => fromText(`${text}${name}: ${choice}`),
          `${name}: ${choice} loads`,
        );
      }
      assert.equal(validate({ [name]: "not-a-choice" }), false);
      assert.throws(() => fromText(`${name}: not-a-choice`), ConfigError);
    });
  }

  it("agrees with the loader on the shape of lists, integers and strings", () => {
    const cases: [string, unknown, boolean][] = [
      ["ALLOWED_DOMAINS", ["example.com"], true],
      ["ALLOWED_DOMAINS", "example.com", true],
      ["ALLOWED_DOMAINS", [], false],
      ["ALLOWED_DOMAINS", 5, false],
      ["PORT", 8080, true],
      ["PORT", "8080", true],
      ["PORT", 80.5, false],
      ["PORT", 70000, false],
      ["PORT", true, false],
      ["HOOK_AUTH_SECRET", "x".repeat(16), true],
      ["HOOK_AUTH_SECRET", "x".repeat(15), false],
      ["HOOK_AUTH_HEADER", ["a"], false],
    ];
    for (const [name, value, ok] of cases) {
      assert.equal(validate({ [name]: value }), ok, `schema: ${name} ${JSON.stringify(value)}`);
      const load = () => loadConfig({}, { [name]: value });
      if (ok) assert.doesNotThrow(load, `loader: ${name} ${JSON.stringify(value)}`);
      else assert.throws(load, ConfigError, `loader: ${name} ${JSON.stringify(value)}`);
    }
  });
});
