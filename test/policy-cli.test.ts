// The policy CLI, run in process: check, explain and schema.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { run } from "../src/cli/policy.js";
import { policySchema } from "../src/policy/engine/index.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const FIXTURES = fileURLToPath(new URL("./fixtures/policy/", import.meta.url));
const EXAMPLE = `${ROOT}policy/example.yaml`;

async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, env, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
  });
  return { code, stdout, stderr };
}

describe("policy check", () => {
  it("prints what it compiled: rules, lists with sizes, version", async () => {
    const { code, stdout, stderr } = await cli(["check", EXAMPLE]);
    assert.equal(code, 0, stderr);
    assert.match(
      stdout,
      /^policy .*example\.yaml version [0-9a-f]{12}: mode enforce, default allow/u,
    );
    assert.match(stdout, /1\. partners: allow on 1 address/u);
    assert.match(stdout, /5\. webmail: deny on lists free-webmail \(report only\)/u);
    assert.match(stdout, /disposable: \d+ domains from disposable-email-domains-js@\d/u);
    assert.match(stdout, /blocked-resellers: 2 domains from .*blocked-resellers\.txt/u);
  });

  it("reads POLICY_FILE when no file is named", async () => {
    const { code } = await cli(["check"], { POLICY_FILE: EXAMPLE });
    assert.equal(code, 0);
  });

  it("exits 1 with the PolicyError message on an invalid policy", async () => {
    const { code, stdout, stderr } = await cli(["check", `${FIXTURES}bad-list.yaml`]);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /^invalid policy: .*bad-list\.yaml: lists\.bad\.file: .*bad-line\.txt line 4: /u,
    );
  });

  it("exits 2 on usage errors", async () => {
    assert.equal((await cli(["check"])).code, 2);
    assert.equal((await cli([])).code, 2);
    assert.equal((await cli(["frobnicate"])).code, 2);
    assert.equal((await cli(["explain", "--nope", "a@b.example"])).code, 2);
    assert.equal((await cli(["explain"])).code, 2);
    assert.equal((await cli(["--help"])).code, 0);
  });
});

describe("policy explain", () => {
  it("prints the decision, rule, reason, localised message and report-only findings", async () => {
    const { code, stdout, stderr } = await cli(
      ["explain", "jo@yopmail.com", "rosario@gmail.com", "jo@example.com", "--locale", "fr_CA"],
      { POLICY_FILE: EXAMPLE },
    );
    assert.equal(code, 0, stderr);
    const lines = stdout.split("\n");
    assert.match(lines[0] ?? "", /version [0-9a-f]{12}, self-service registration, locale fr$/u);
    assert.deepEqual(lines.slice(1), [
      '"jo@yopmail.com": DENY by rule "throwaway" via list disposable, reason DISPOSABLE_EMAIL',
      '  message [fr]: "Utilisez une adresse e-mail permanente."',
      '"rosario@gmail.com": ALLOW by the default (no rule matched)',
      '  report only: rule "webmail" would deny (FREE_EMAIL_PROVIDER)',
      '"jo@example.com": ALLOW by rule "staff" via domains',
      '  profile update: organization="Example Inc"',
      "",
    ]);
  });

  it("never enriches a progressive profile", async () => {
    const { stdout } = await cli(["explain", "jo@example.com", "--progressive", "--file", EXAMPLE]);
    assert.match(stdout, /progressive profile/u);
    assert.doesNotMatch(stdout, /profile update/u);
  });

  it("falls back to ALLOWED_DOMAINS, default example.com", async () => {
    const byDefault = await cli(["explain", "jo@example.com", "jo@gmail.com"]);
    assert.match(
      byDefault.stdout,
      /"jo@example\.com": ALLOW by rule "allowed-domains" via domains/u,
    );
    assert.match(
      byDefault.stdout,
      /"jo@gmail\.com": DENY by the default \(no rule matched\), reason INVALID_EMAIL_DOMAIN/u,
    );
    assert.match(
      byDefault.stdout,
      /message \[en\]: "Registration is not open to email addresses at this domain\."/u,
    );
    const custom = await cli(["explain", "jo@gmail.com"], {
      ALLOWED_DOMAINS: "gmail.com, example.org",
    });
    assert.match(custom.stdout, /ALLOW by rule "allowed-domains"/u);
    const bad = await cli(["explain", "jo@gmail.com"], { ALLOWED_DOMAINS: "*" });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^invalid ALLOWED_DOMAINS: .*entry "\*"/u);
  });

  it("escapes invisible characters in what it echoes, and prints JSON answers with --json", async () => {
    const { stdout } = await cli(["explain", "jo\u200b@example.com"]);
    assert.match(
      stdout,
      /"jo\\u\{200b\}@example\.com": DENY by the address check, reason INVALID_EMAIL/u,
    );
    const json = await cli(["explain", "--json", "jo@yopmail.com", "--file", EXAMPLE]);
    const line = JSON.parse(json.stdout.trim()) as { answer: { debugContext: { rules: string } } };
    assert.equal(line.answer.debugContext.rules, "throwaway");
  });
});

describe("policy schema", () => {
  it("prints the schema policy/policy.schema.json holds", async () => {
    const { code, stdout } = await cli(["schema"]);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), JSON.parse(JSON.stringify(policySchema)));
    assert.deepEqual(
      JSON.parse(stdout),
      JSON.parse(readFileSync(`${ROOT}policy/policy.schema.json`, "utf8")),
    );
  });
});
