// Loading policies: the shipped schema, the example, and load errors that name rule and field.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { parse as parseYaml } from "yaml";
import {
  compilePolicy,
  describePolicy,
  evaluatePolicy,
  loadPolicyFile,
  PolicyError,
  policyFromAllowedDomains,
  policySchema,
} from "../src/policy/engine/index.js";
import { checkListEntry, domainAndParents, parseListText } from "../src/policy/engine/lists.js";
import { registration } from "./fixtures/policy/requests.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const FIXTURES = fileURLToPath(new URL("./fixtures/policy/", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "policy-test-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function compile(document: unknown) {
  return compilePolicy(document, { baseDir: FIXTURES });
}

function loadError(document: unknown): string {
  try {
    compile(document);
  } catch (error) {
    assert.ok(error instanceof PolicyError, String(error));
    return error.message;
  }
  assert.fail("expected a PolicyError");
}

const base = { default: "deny" } as const;
const rule = (extra: Record<string, unknown>) => ({
  id: "r",
  match: { domains: ["example.com"] },
  action: "allow",
  ...extra,
});

describe("the shipped JSON Schema", () => {
  it("policy/policy.schema.json is the schema the code compiles with", () => {
    const shipped = JSON.parse(readFileSync(join(ROOT, "policy/policy.schema.json"), "utf8"));
    assert.deepEqual(shipped, JSON.parse(JSON.stringify(policySchema)));
  });

  it("is a valid draft-07 schema under strict Ajv, and the example passes it", () => {
    const ajv = new Ajv({ strict: true });
    const validate = ajv.compile(policySchema);
    const example = parseYaml(readFileSync(join(ROOT, "policy/example.yaml"), "utf8"));
    assert.ok(validate(example), JSON.stringify(validate.errors));
  });

  it("the example policy compiles, with its lists", () => {
    const policy = loadPolicyFile(join(ROOT, "policy/example.yaml"));
    const d = describePolicy(policy);
    assert.deepEqual(d.lists.map((l) => l.name).sort(), [
      "blocked-resellers",
      "disposable",
      "free-webmail",
    ]);
    assert.equal(evaluatePolicy(registration({ email: "jo@yopmail.com" }), policy).outcome, "deny");
  });

  it("loads JSON as well as YAML", () => {
    const policy = loadPolicyFile(join(FIXTURES, "full.json"));
    assert.equal(policy.default, "allow");
    assert.equal(policy.name, join(FIXTURES, "full.json"));
  });
});

describe("load errors name the rule and the field", () => {
  const cases: ReadonlyArray<[string, unknown, string | RegExp]> = [
    ["not an object", [], "policy: must be a mapping (object)"],
    ["no default", { rules: [] }, "default: is required"],
    ["bad default", { default: "maybe", rules: [] }, 'default: "maybe" must be one of allow, deny'],
    [
      "unknown top-level key",
      { ...base, rules: [], rule: [] },
      /^rule: is not a known property \(known: description, default, defaultLocale, mode, lists, rules, messages\)$/u,
    ],
    [
      "unknown list",
      {
        ...base,
        rules: [
          rule({}),
          rule({ id: "b" }),
          { id: "resellers", match: { lists: ["nope"] }, action: "deny" },
        ],
      },
      'rules[2] (id "resellers").match.lists[0]: "nope" is not a known list (known: disposable, free-webmail)',
    ],
    [
      "empty match",
      { ...base, rules: [{ id: "x", match: {}, action: "deny" }] },
      'rules[0] (id "x").match: must have at least one of domains, addresses, lists',
    ],
    [
      "typo in match",
      { ...base, rules: [{ id: "x", match: { domain: ["a.example"] }, action: "deny" }] },
      'rules[0] (id "x").match.domain: is not a known property (known: domains, addresses, lists)',
    ],
    [
      "missing action",
      { ...base, rules: [{ id: "x", match: { lists: ["disposable"] } }] },
      'rules[0] (id "x").action: is required',
    ],
    [
      "bad rule id",
      { ...base, rules: [rule({ id: "Bad Id" })] },
      /^rules\[0\] \(id "Bad Id"\)\.id: "Bad Id" must be 1 to 64 of a-z/u,
    ],
    [
      "duplicate rule id",
      { ...base, rules: [rule({}), rule({ id: "s" }), rule({})] },
      'rules[2] (id "r").id: "r" is already the id of rules[0]',
    ],
    [
      "reserved rule id",
      { ...base, rules: [rule({ id: "default" })] },
      'rules[0] (id "default").id: "default" is reserved',
    ],
    [
      "bad domain",
      { ...base, rules: [rule({ match: { domains: ["example.com", "*"] } })] },
      /^rules\[0\] \(id "r"\)\.match\.domains\[1\]: entry "\*": a bare "\*"/u,
    ],
    [
      "wildcard over a TLD",
      { ...base, rules: [rule({ match: { domains: ["*.com"] } })] },
      /^rules\[0\] \(id "r"\)\.match\.domains\[0\]: entry "\*\.com": a wildcard over a single label/u,
    ],
    [
      "bad address",
      { ...base, rules: [rule({ match: { addresses: ["a@b.example", "alice@@x.example"] } })] },
      'rules[0] (id "r").match.addresses[1]: "alice@@x.example" is not a valid address (has more than one @)',
    ],
    [
      "reason on allow",
      { ...base, rules: [rule({ reason: "NOPE" })] },
      'rules[0] (id "r").reason: only a deny rule gives a reason',
    ],
    [
      "profile on deny",
      { ...base, rules: [rule({ action: "deny", profile: { a: 1 } })] },
      'rules[0] (id "r").profile: only an allow rule can set profile attributes',
    ],
    [
      "lower-case reason",
      { ...base, rules: [rule({ action: "deny", reason: "nope" })] },
      /^rules\[0\] \(id "r"\)\.reason: "nope" must be an upper-case token/u,
    ],
    [
      "structural reason",
      { ...base, rules: [rule({ action: "deny", reason: "MISSING_EMAIL" })] },
      'rules[0] (id "r").reason: MISSING_EMAIL is not a reason a rule can give',
    ],
    [
      "custom reason without English",
      {
        ...base,
        rules: [rule({}), rule({ id: "x", action: "deny", reason: "GO_AWAY" })],
        messages: { GO_AWAY: { fr: "Partez." } },
      },
      'rules[1] (id "x").reason: GO_AWAY needs an English message: add messages.GO_AWAY.en',
    ],
    [
      "message for an unknown reason",
      { ...base, rules: [], messages: { DISPOSABLE_EMAILS: { en: "x" } } },
      /^messages\.DISPOSABLE_EMAILS: is not a reason the policy gives/u,
    ],
    [
      "bad locale key",
      { ...base, rules: [], messages: { DISPOSABLE_EMAIL: { "en us": "x" } } },
      /^messages\.DISPOSABLE_EMAIL\["en us"\]: is not a valid name: must be a language tag/u,
    ],
    [
      "duplicate locale key",
      { ...base, rules: [], messages: { DISPOSABLE_EMAIL: { "de-CH": "x", de_ch: "y" } } },
      "messages.DISPOSABLE_EMAIL.de_ch: is the same locale as another key of messages.DISPOSABLE_EMAIL",
    ],
    [
      "empty message",
      { ...base, rules: [], messages: { DISPOSABLE_EMAIL: { en: "" } } },
      "messages.DISPOSABLE_EMAIL.en: must not be empty",
    ],
    [
      "bad defaultLocale",
      { ...base, rules: [], defaultLocale: "english!" },
      /^defaultLocale: "english!" must be a language tag/u,
    ],
    [
      "profile email",
      { ...base, rules: [rule({ profile: { Email: "x" } })] },
      'rules[0] (id "r").profile.Email: cannot be set: the decision was made on the address, so the rule must not change it',
    ],
    [
      "profile login",
      { ...base, rules: [rule({ profile: { login: "x" } })] },
      /^rules\[0\] \(id "r"\)\.profile\.login: cannot be set/u,
    ],
    [
      "profile password",
      { ...base, rules: [rule({ profile: { password: "x" } })] },
      'rules[0] (id "r").profile.password: cannot be set: Okta never lets a hook set it',
    ],
    [
      "profile reserved",
      { ...base, rules: [rule({ profile: { status: "x" } })] },
      'rules[0] (id "r").profile.status: is a name Okta reserves',
    ],
    [
      "profile bad name",
      { ...base, rules: [rule({ profile: { "first-name": "x" } })] },
      /^rules\[0\] \(id "r"\)\.profile\.first-name: is not a valid name: must be a letter/u,
    ],
    [
      "profile too long a name",
      { ...base, rules: [rule({ profile: { [`a${"b".repeat(50)}`]: "x" } })] },
      /profile\.ab+: is not a valid name/u,
    ],
    [
      "profile object value",
      { ...base, rules: [rule({ profile: { tier: { a: 1 } } })] },
      'rules[0] (id "r").profile.tier: must be a string, a number, true, false or null',
    ],
    [
      "profile infinite number",
      { ...base, rules: [rule({ profile: { tier: Number.POSITIVE_INFINITY } })] },
      /profile\.tier: must be/u,
    ],
    [
      "redefining a built-in list",
      { ...base, rules: [], lists: { disposable: { file: "lists/empty.txt" } } },
      /^lists\.disposable: is a built-in list/u,
    ],
    [
      "missing list file",
      { ...base, rules: [], lists: { mine: { file: "lists/nope.txt" } } },
      /^lists\.mine\.file: cannot read .*lists\/nope\.txt \(ENOENT\)$/u,
    ],
    [
      "bad list line",
      { ...base, rules: [], lists: { mine: { file: "lists/bad-line.txt" } } },
      /^lists\.mine\.file: .*lists\/bad-line\.txt line 4: entry "not a domain\.example": is not a valid domain \(domain contains whitespace\)$/u,
    ],
    [
      "wildcard in a list",
      { ...base, rules: [], lists: { mine: { file: "lists/wildcard.txt" } } },
      /^lists\.mine\.file: .*wildcard\.txt line 1: a list entry matches all its subdomains already/u,
    ],
    [
      "enforce not boolean",
      { ...base, rules: [rule({ enforce: "no" })] },
      'rules[0] (id "r").enforce: must be true or false',
    ],
    [
      "repeated list",
      {
        ...base,
        rules: [{ id: "x", match: { lists: ["disposable", "disposable"] }, action: "deny" }],
      },
      'rules[0] (id "x").match.lists[1]: repeats entry 0',
    ],
  ];
  for (const [name, document, expected] of cases) {
    it(name, () => {
      const message = loadError(document);
      if (typeof expected === "string") assert.equal(message, expected);
      else assert.match(message, expected);
    });
  }

  it("hostile names are refused with the value escaped and bounded", () => {
    const hostile = [
      "__proto__",
      "constructor",
      "X".repeat(10_000),
      "A\u0000B",
      "\u202eEVIL",
      "A\nB",
    ];
    for (const name of hostile) {
      for (const document of [
        { ...base, rules: [rule({ action: "deny", reason: name })] },
        { ...base, rules: [], messages: { [name]: { en: "x" } } },
        { ...base, rules: [], messages: { DISPOSABLE_EMAIL: { [name]: "x" } } },
        { ...base, rules: [], lists: { [name]: { file: "lists/empty.txt" } } },
        { ...base, rules: [rule({ id: name })] },
        { ...base, rules: [rule({ profile: { [name]: "x" } })] },
      ]) {
        try {
          compile(JSON.parse(JSON.stringify(document)));
        } catch (error) {
          assert.ok(error instanceof PolicyError, String(error));
          assert.ok(error.message.length < 600, error.message.slice(0, 200));
          const raw = [...error.message].filter((ch) => ch.charCodeAt(0) < 0x20 || ch === "\u202e");
          assert.deepEqual(raw, []);
          continue;
        }
        // Only names that are valid tokens in that position get through.
        assert.ok(name === "constructor", name.slice(0, 20));
      }
    }
    for (const name of ["__proto__", "X".repeat(10_000), "A\u0000B"]) {
      loadError(JSON.parse(JSON.stringify({ ...base, rules: [rule({ profile: { [name]: 1 } })] })));
      loadError(
        JSON.parse(JSON.stringify({ ...base, rules: [], messages: { [name]: { en: "x" } } })),
      );
    }
    // "constructor" is a fine attribute name: an own property like any other.
    const ok = compile({ ...base, rules: [rule({ profile: { constructor: "x", toString: 1 } })] });
    const verdict = evaluatePolicy(registration({ email: "jo@example.com" }), ok);
    assert.deepEqual(verdict.profile, { constructor: "x", toString: 1 });
  });

  it("loadPolicyFile names the file in every error", () => {
    assert.throws(
      () => loadPolicyFile(join(FIXTURES, "bad-list.yaml")),
      (error: unknown) =>
        error instanceof PolicyError &&
        /bad-list\.yaml: lists\.bad\.file: .*bad-line\.txt line 4: /u.test(error.message),
    );
    const broken = join(scratch, "broken.yaml");
    writeFileSync(broken, "default: deny\nrules: [\n  - id: a\n");
    assert.throws(
      () => loadPolicyFile(broken),
      (error: unknown) =>
        error instanceof PolicyError && /broken\.yaml: is not valid YAML: /u.test(error.message),
    );
    assert.throws(
      () => loadPolicyFile(join(FIXTURES, "missing.yaml")),
      (error: unknown) =>
        error instanceof PolicyError &&
        /missing\.yaml: cannot be read \(ENOENT\)/u.test(error.message),
    );
    const duplicate = join(scratch, "duplicate.yaml");
    writeFileSync(duplicate, "default: deny\ndefault: allow\nrules: []\n");
    assert.throws(
      () => loadPolicyFile(duplicate),
      /duplicate\.yaml: is not valid YAML: .*[Mm]ap keys must be unique/u,
    );
  });

  it("policyFromAllowedDomains reports a bad entry the way ALLOWED_DOMAINS did", () => {
    assert.throws(
      () => policyFromAllowedDomains(["example.com", "exa mple.com"]),
      /^PolicyError: rules\[0\] \(id "allowed-domains"\)\.match\.domains\[1\]: entry "exa mple\.com": is not a valid domain/u,
    );
    assert.throws(() => policyFromAllowedDomains([]), /match\.domains: must not be empty/u);
  });
});

describe("domain lists", () => {
  it("parses comments, blanks, case and IDNA, and removes duplicates", () => {
    const domains = parseListText(
      "\ufeff# head\n\nA.Example  # tail\r\nb.example\nbücher.example\na.example\n",
    );
    assert.deepEqual([...domains], ["a.example", "b.example", "xn--bcher-kva.example"]);
  });

  it("refuses a bad line with its number", () => {
    assert.throws(
      () => parseListText("ok.example\n\n# c\nbad..example\n"),
      /^ListFileError: line 4: entry "bad\.\.example"/u,
    );
    assert.throws(
      () => parseListText("com\n"),
      /line 1: entry "com": is not a valid domain \(domain has only one label\)/u,
    );
    assert.throws(() => parseListText("jo@x.example\n"), /line 1: .*looks like an email address/u);
  });

  it("matches a domain and its parents, never the top-level label", () => {
    assert.deepEqual(domainAndParents("a.b.yopmail.com"), [
      "a.b.yopmail.com",
      "b.yopmail.com",
      "yopmail.com",
    ]);
    assert.deepEqual(domainAndParents("yopmail.com"), ["yopmail.com"]);
  });

  it("checks entries exactly as ALLOWED_DOMAINS does, fast path or not", () => {
    assert.deepEqual(checkListEntry("EXAMPLE.com"), { ok: true, domain: "example.com" });
    assert.deepEqual(checkListEntry("xn--bcher-kva.example"), {
      ok: true,
      domain: "xn--bcher-kva.example",
    });
    assert.equal(checkListEntry("ab--c.example").ok, false);
    assert.equal(checkListEntry("1.2.3.4").ok, false);
    assert.equal(checkListEntry("-a.example").ok, false);
  });

  it("compiles a 100,000-domain list and looks it up in constant time", () => {
    const file = join(scratch, "big.txt");
    const lines = ["# generated"];
    for (let i = 0; i < 100_000; i += 1) lines.push(`host-${i}.blocked${i % 97}.example`);
    writeFileSync(file, `${lines.join("\n")}\n`);
    const started = performance.now();
    const policy = compilePolicy(
      {
        default: "allow",
        lists: { big: { file } },
        rules: [{ id: "big", match: { lists: ["big"] }, action: "deny" }],
      },
      { baseDir: scratch },
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 5000, `compiled in ${elapsed} ms`);
    assert.equal(describePolicy(policy).lists[0]?.size, 100_000);
    assert.equal(
      evaluatePolicy(
        registration({ email: `jo@mx.host-99999.blocked${99_999 % 97}.example` }),
        policy,
      ).outcome,
      "deny",
    );
    assert.equal(
      evaluatePolicy(registration({ email: "jo@blocked91.example" }), policy).outcome,
      "allow",
    );
    assert.equal(
      evaluatePolicy(registration({ email: "jo@host-100000.blocked0.example" }), policy).outcome,
      "allow",
    );
  });
});
