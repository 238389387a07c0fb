// Unit tests for CONFIG_FILE: parsing and checking the file (parseConfigFile), and laying the
// environment over it (readSettings), down to a loaded configuration (loadConfig).

import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig } from "../src/config.js";
import { parseConfigFile, readSettings } from "../src/configFile.js";
import { describePolicy } from "../src/policy/domains.js";

const EXAMPLE_FILE = fileURLToPath(new URL("../config/example.yaml", import.meta.url));
const FILE_SECRET = "Basic ZmlsZTpzZWNyZXQtZnJvbS10aGUtZmlsZQ==";

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

describe("parseConfigFile: what a valid file gives", () => {
  it("reads YAML, every value a string as the environment has it", () => {
    const settings = parseConfigFile(
      [
        "# comments are fine",
        "PORT: 8080",
        "ALLOWED_DOMAINS: example.com",
        "HOOK_AUTH_MODE: header",
        "HOOK_AUTH_HEADER: x-okta-secret",
        `HOOK_AUTH_SECRET: "${FILE_SECRET}"`,
        "OAUTH_CLOCK_TOLERANCE: 45",
        "FAIL_MODE: open",
        "LOG_LEVEL: warn",
      ].join("\n"),
    );
    assert.deepEqual(settings, {
      PORT: "8080",
      ALLOWED_DOMAINS: "example.com",
      HOOK_AUTH_MODE: "header",
      HOOK_AUTH_HEADER: "x-okta-secret",
      HOOK_AUTH_SECRET: FILE_SECRET,
      OAUTH_CLOCK_TOLERANCE: "45",
      FAIL_MODE: "open",
      LOG_LEVEL: "warn",
    });
  });

  it("reads JSON", () => {
    const settings = parseConfigFile(
      JSON.stringify({ PORT: 0, ALLOWED_DOMAINS: ["example.com"], FAIL_MODE: "closed" }),
    );
    assert.deepEqual(settings, { PORT: "0", ALLOWED_DOMAINS: "example.com", FAIL_MODE: "closed" });
  });

  it("turns lists into comma lists, in YAML flow and block style and in JSON", () => {
    assert.deepEqual(parseConfigFile("ALLOWED_DOMAINS: [a.example, b.example]"), {
      ALLOWED_DOMAINS: "a.example,b.example",
    });
    assert.deepEqual(parseConfigFile('ALLOWED_DOMAINS:\n  - example.com\n  - "*.example.com"\n'), {
      ALLOWED_DOMAINS: "example.com,*.example.com",
    });
    assert.deepEqual(parseConfigFile('{"OAUTH_ALGORITHMS": ["RS256", "ES256"]}'), {
      OAUTH_ALGORITHMS: "RS256,ES256",
    });
  });

  it("gives a list that loadConfig reads as the same domains as the environment's comma list", () => {
    const fromFile = loadConfig(parseConfigFile("ALLOWED_DOMAINS: [a.example, '*.b.example']"));
    const fromEnv = loadConfig({ ALLOWED_DOMAINS: "a.example,*.b.example" });
    assert.deepEqual(
      describePolicy(fromFile.allowedDomains),
      describePolicy(fromEnv.allowedDomains),
    );
    assert.deepEqual(describePolicy(fromFile.allowedDomains), ["a.example", "*.b.example"]);
  });
});

describe("parseConfigFile: refusals, each naming the setting", () => {
  it("refuses an unknown key, naming it", () => {
    const error = configError(() => parseConfigFile("ALLOWED_DOMAINS: example.com\nALOWED: x"));
    assert.match(error.message, /^CONFIG_FILE\b/);
    assert.match(error.message, /"ALOWED" is not a known setting/);
  });

  it("refuses settings read only from the environment (WORKERS, NODE_ENV, CONFIG_FILE) as unknown", () => {
    for (const name of ["WORKERS", "NODE_ENV", "CONFIG_FILE"]) {
      const error = configError(() => parseConfigFile(`${name}: "2"`));
      assert.match(error.message, new RegExp(`"${name}" is not a known setting`));
    }
  });

  const wrong: [string, string, string][] = [
    ["a number for a domain list", "ALLOWED_DOMAINS: 5", "ALLOWED_DOMAINS"],
    ["an empty domain list", "ALLOWED_DOMAINS: []", "ALLOWED_DOMAINS"],
    ["an empty domain string", 'ALLOWED_DOMAINS: ""', "ALLOWED_DOMAINS"],
    ["a map for a domain list", "ALLOWED_DOMAINS: { a: b }", "ALLOWED_DOMAINS"],
    ["a fractional port", "PORT: 80.5", "PORT"],
    ["a boolean port", "PORT: true", "PORT"],
    ["a list for a header name", "HOOK_AUTH_HEADER: [a, b]", "HOOK_AUTH_HEADER"],
    ["an unknown FAIL_MODE", "FAIL_MODE: sometimes", "FAIL_MODE"],
    ["an unknown HOOK_AUTH_MODE", "HOOK_AUTH_MODE: basic", "HOOK_AUTH_MODE"],
    ["an unknown LOG_LEVEL", "LOG_LEVEL: loud", "LOG_LEVEL"],
    ["a null value", "LOG_LEVEL:", "LOG_LEVEL"],
  ];
  for (const [what, text, setting] of wrong) {
    it(`refuses ${what}, naming ${setting}`, () => {
      const error = configError(() => parseConfigFile(text));
      assert.match(error.message, new RegExp(`^CONFIG_FILE ${setting}: `));
    });
  }

  it("refuses a secret shorter than 16 characters without repeating it", () => {
    for (const setting of ["HOOK_AUTH_SECRET", "HOOK_AUTH_SECRET_PREVIOUS"]) {
      const error = configError(() => parseConfigFile(`${setting}: "Basic abc123xyz"`));
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
    const error = configError(() => parseConfigFile('OAUTH_ALGORITHMS: [""]'));
    assert.match(error.message, /^CONFIG_FILE OAUTH_ALGORITHMS: /);
  });

  it("names the empty entry, not the list's type, for a list with an empty domain", () => {
    const error = configError(() => parseConfigFile('ALLOWED_DOMAINS: [a.com, ""]'));
    assert.match(
      error.message,
      /^CONFIG_FILE ALLOWED_DOMAINS: must NOT have fewer than 1 characters/,
    );
  });
});

describe("parseConfigFile: read as the environment is", () => {
  it("reads choices in any case, as the environment does", () => {
    assert.deepEqual(parseConfigFile("LOG_LEVEL: INFO\nFAIL_MODE: Open\nHOOK_AUTH_MODE: Header"), {
      LOG_LEVEL: "info",
      FAIL_MODE: "open",
      HOOK_AUTH_MODE: "header",
    });
  });

  it("reads an empty file, or one of comments only, as setting nothing", () => {
    assert.deepEqual(parseConfigFile(""), {});
    assert.deepEqual(parseConfigFile("# nothing here yet\n"), {});
  });
});

describe("readSettings: CONFIG_FILE and the environment", () => {
  it("returns the environment unchanged when CONFIG_FILE is unset or blank", () => {
    const env = { ALLOWED_DOMAINS: "example.com", LOG_LEVEL: "debug" };
    assert.deepEqual(readSettings(env), env);
    assert.deepEqual(readSettings({ ...env, CONFIG_FILE: "  " }), { ...env, CONFIG_FILE: "  " });
  });

  it("reads a YAML file and a JSON file", async () => {
    const yaml = await configFile("ALLOWED_DOMAINS: [a.example, b.example]\nFAIL_MODE: open\n");
    const json = await configFile('{"ALLOWED_DOMAINS": "c.example", "LOG_LEVEL": "warn"}', "json");
    assert.deepEqual(readSettings({ CONFIG_FILE: yaml }), {
      ALLOWED_DOMAINS: "a.example,b.example",
      FAIL_MODE: "open",
      CONFIG_FILE: yaml,
    });
    assert.deepEqual(readSettings({ CONFIG_FILE: json }), {
      ALLOWED_DOMAINS: "c.example",
      LOG_LEVEL: "warn",
      CONFIG_FILE: json,
    });
  });

  it("lets a non-empty environment variable win over the file", async () => {
    const path = await configFile("ALLOWED_DOMAINS: file.example\nLOG_LEVEL: warn\n");
    const settings = readSettings({ CONFIG_FILE: path, ALLOWED_DOMAINS: "env.example" });
    assert.equal(settings.ALLOWED_DOMAINS, "env.example");
    assert.equal(settings.LOG_LEVEL, "warn");
    assert.deepEqual(describePolicy(loadConfig(settings).allowedDomains), ["env.example"]);
  });

  it("keeps the file's value when the environment variable is empty or blank", async () => {
    const path = await configFile("ALLOWED_DOMAINS: file.example\n");
    for (const blank of ["", "   ", "\t"]) {
      const settings = readSettings({ CONFIG_FILE: path, ALLOWED_DOMAINS: blank });
      assert.equal(settings.ALLOWED_DOMAINS, "file.example", `env value ${JSON.stringify(blank)}`);
    }
    const undefinedEnv = readSettings({ CONFIG_FILE: path, ALLOWED_DOMAINS: undefined });
    assert.equal(undefinedEnv.ALLOWED_DOMAINS, "file.example");
  });

  it("passes environment variables the file cannot hold (NODE_ENV) through to loadConfig", async () => {
    const path = await configFile(`HOOK_AUTH_SECRET: "${FILE_SECRET}"\n`);
    const config = loadConfig(readSettings({ CONFIG_FILE: path, NODE_ENV: "production" }));
    assert.equal(config.production, true);
    assert.deepEqual(config.auth.secrets, [FILE_SECRET]);
    assert.equal(config.auth.usingDemoSecret, false);
  });

  it("refuses a CONFIG_FILE that does not exist, naming the path", () => {
    const missing = join(dir, "no-such-file.yaml");
    const error = configError(() => readSettings({ CONFIG_FILE: missing }));
    assert.equal(error.message, `CONFIG_FILE: cannot read "${missing}"`);
  });

  it("refuses a CONFIG_FILE that is a directory", async () => {
    const sub = join(dir, "a-directory");
    await mkdir(sub);
    const error = configError(() => readSettings({ CONFIG_FILE: sub }));
    assert.match(error.message, /^CONFIG_FILE: cannot read/);
  });

  it("refuses an invalid file even when the environment sets every value it holds", async () => {
    const path = await configFile("ALLOWED_DOMAINS: example.com\nBOGUS: 1\n");
    const error = configError(() =>
      readSettings({ CONFIG_FILE: path, ALLOWED_DOMAINS: "example.com" }),
    );
    assert.match(error.message, /"BOGUS" is not a known setting/);
  });
});

describe("readSettings then loadConfig", () => {
  it("loads the shipped config/example.yaml", () => {
    const settings = readSettings({ CONFIG_FILE: EXAMPLE_FILE });
    const config = loadConfig(settings);
    assert.deepEqual(describePolicy(config.allowedDomains), ["example.com", "*.example.com"]);
    assert.equal(config.auth.mode, "header");
    assert.equal(config.auth.header, "authorization");
    assert.equal(config.failMode, "closed");
    assert.equal(config.logLevel, "info");
  });

  it("uses a file secret of 16 characters or more", async () => {
    const path = await configFile(
      `HOOK_AUTH_SECRET: "${FILE_SECRET}"\nHOOK_AUTH_SECRET_PREVIOUS: "0123456789abcdef"\n`,
    );
    const config = loadConfig(readSettings({ CONFIG_FILE: path }));
    assert.deepEqual(config.auth.secrets, [FILE_SECRET, "0123456789abcdef"]);
  });

  it("refuses a file secret shorter than 16 characters, naming the setting", async () => {
    const path = await configFile('HOOK_AUTH_SECRET: "fifteen-chars.."\n');
    const error = configError(() => loadConfig(readSettings({ CONFIG_FILE: path })));
    assert.match(error.message, /^CONFIG_FILE HOOK_AUTH_SECRET: /);
  });

  it("refuses a value the schema lets through but loadConfig does not (ALLOWED_DOMAINS: '*')", async () => {
    const path = await configFile('ALLOWED_DOMAINS: "*"\n');
    const settings = readSettings({ CONFIG_FILE: path });
    const error = configError(() => loadConfig(settings));
    assert.match(error.message, /^ALLOWED_DOMAINS: /);
  });

  it("refuses a bad PORT string from the file, naming PORT", async () => {
    const path = await configFile('PORT: "eighty"\n');
    const error = configError(() => loadConfig(readSettings({ CONFIG_FILE: path })));
    assert.match(error.message, /^PORT: /);
  });

  it("lets an environment PORT cover a file PORT that passes the schema but not loadConfig", async () => {
    // The schema accepts any string PORT; loadConfig sees only the environment's.
    const path = await configFile('PORT: "eighty"\n');
    const config = loadConfig(readSettings({ CONFIG_FILE: path, PORT: "8080" }));
    assert.equal(config.port, 8080);
  });
});
