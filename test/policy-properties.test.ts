// Property tests: evaluatePolicy against an independent naive model, the list fast path against
// the full domain check, and an ALLOWED_DOMAINS policy against today's decide().
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { responseFor } from "../src/policy/answer.js";
import { decide } from "../src/policy/decide.js";
import { compileDomainPolicy, DomainPolicyError } from "../src/policy/domains.js";
import {
  answerFor,
  compilePolicy,
  evaluatePolicy,
  policyFromAllowedDomains,
} from "../src/policy/engine/index.js";
import { plainAsciiDomain } from "../src/policy/engine/lists.js";
import { registration } from "./fixtures/policy/requests.js";
import { responseViolations } from "./fixtures/policy/spec.js";

const scratch = mkdtempSync(join(tmpdir(), "policy-props-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

// A small world of domains so that rules, lists and addresses collide often.
const label = fc.constantFrom("a", "b", "mail", "ex", "yop");
const tld = fc.constantFrom("com", "example");
const domain = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), tld)
  .map(([labels, top]) => [...labels, top].join("."));
const local = fc.constantFrom("jo", "Jo", "al", "AL.x");
const address = fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`);
const anyAddress = fc.oneof(
  { weight: 8, arbitrary: address },
  { weight: 1, arbitrary: fc.constantFrom("nope", "jo@@a.com", "jo@a", "") },
);

interface ModelRule {
  id: string;
  action: "allow" | "deny";
  enforce: boolean;
  reason?: string;
  exact: string[];
  wildcards: string[];
  addresses: string[];
  lists: string[][];
}
interface Model {
  default: "allow" | "deny";
  mode: "enforce" | "report";
  rules: ModelRule[];
}

const modelRule = (id: string) =>
  fc
    .record({
      action: fc.constantFrom("allow" as const, "deny" as const),
      enforce: fc.boolean(),
      ownReason: fc.boolean(),
      exact: fc.array(domain, { maxLength: 2 }),
      wildcards: fc.array(
        domain.filter((d) => d.includes(".")),
        { maxLength: 1 },
      ),
      addresses: fc.array(address, { maxLength: 2 }),
      lists: fc.array(fc.array(domain, { maxLength: 4 }), { maxLength: 2 }),
    })
    .filter((r) => r.exact.length + r.wildcards.length + r.addresses.length + r.lists.length > 0)
    .map(
      (r): ModelRule => ({
        id,
        action: r.action,
        enforce: r.enforce,
        ...(r.action === "deny" && r.ownReason ? { reason: "OWN_REASON" } : {}),
        exact: r.exact,
        wildcards: r.wildcards,
        addresses: r.addresses,
        lists: r.lists,
      }),
    );

const model: fc.Arbitrary<Model> = fc.integer({ min: 0, max: 4 }).chain((n) =>
  fc.record({
    default: fc.constantFrom("allow" as const, "deny" as const),
    mode: fc.constantFrom("enforce" as const, "enforce" as const, "report" as const),
    rules: fc.tuple(...Array.from({ length: n }, (_, i) => modelRule(`r${i}`))),
  }),
);

let files = 0;
function toDocument(m: Model): unknown {
  const lists: Record<string, { file: string }> = {};
  const rules = m.rules.map((r) => {
    const names = r.lists.map((entries) => {
      files += 1;
      const name = `l${files}`;
      const file = join(scratch, `${name}.txt`);
      writeFileSync(file, `# list\n${entries.join("\n")}\n`);
      lists[name] = { file };
      return name;
    });
    const domains = [...r.exact, ...r.wildcards.map((w) => `*.${w}`)];
    return {
      id: r.id,
      action: r.action,
      ...(r.enforce ? {} : { enforce: false }),
      ...(r.reason === undefined ? {} : { reason: r.reason }),
      match: {
        ...(domains.length > 0 ? { domains } : {}),
        ...(r.addresses.length > 0 ? { addresses: r.addresses } : {}),
        ...(names.length > 0 ? { lists: names } : {}),
      },
    };
  });
  return {
    default: m.default,
    mode: m.mode,
    lists,
    rules,
    ...(m.rules.some((r) => r.reason !== undefined)
      ? { messages: { OWN_REASON: { en: "Own." } } }
      : {}),
  };
}

interface Expected {
  outcome: "allow" | "deny";
  rule: string;
  reason?: string;
  findings: Array<{ rule: string; action: string; reason?: string }>;
}

/** The model: naive loops over arrays, no sets, no parsing library. */
function modelAddress(raw: string, m: Model): Expected {
  const parts = raw.split("@");
  if (parts.length !== 2 || !(parts[1] ?? "").includes(".")) {
    return { outcome: "deny", rule: "address", reason: "INVALID_EMAIL", findings: [] };
  }
  const who = (parts[0] ?? "").toLowerCase();
  const where = (parts[1] ?? "").toLowerCase();
  const findings: Expected["findings"] = [];
  for (const r of m.rules) {
    let implied: string | undefined;
    if (r.addresses.some((a) => a.toLowerCase() === `${who}@${where}`))
      implied = "DENIED_EMAIL_ADDRESS";
    else if (r.exact.includes(where) || r.wildcards.some((w) => where.endsWith(`.${w}`))) {
      implied = "DENIED_EMAIL_DOMAIN";
    } else if (r.lists.some((list) => list.some((e) => where === e || where.endsWith(`.${e}`)))) {
      implied = "DENIED_EMAIL_DOMAIN";
    }
    if (implied === undefined) continue;
    const reason = r.action === "deny" ? (r.reason ?? implied) : undefined;
    if (!r.enforce) {
      findings.push({ rule: r.id, action: r.action, ...(reason === undefined ? {} : { reason }) });
      continue;
    }
    return { outcome: r.action, rule: r.id, ...(reason === undefined ? {} : { reason }), findings };
  }
  return m.default === "allow"
    ? { outcome: "allow", rule: "default", findings }
    : { outcome: "deny", rule: "default", reason: "INVALID_EMAIL_DOMAIN", findings };
}

describe("evaluatePolicy against a naive model", () => {
  it("agrees on every address, rule, reason and report-only finding", () => {
    fc.assert(
      fc.property(model, anyAddress, anyAddress, (m, email, login) => {
        const policy = compilePolicy(toDocument(m), { baseDir: scratch });
        const verdict = evaluatePolicy(registration({ email, login }), policy);

        const checked: Array<[string, string]> = [];
        if (email !== "") checked.push(["email", email]);
        if (login.includes("@")) checked.push(["login", login]);
        const expected = checked.map(([field, raw]) => ({ field, ...modelAddress(raw, m) }));
        if (expected.length === 0) {
          expected.push({
            field: "email",
            outcome: "deny",
            rule: "address",
            reason: "MISSING_EMAIL",
            findings: [],
          });
        }

        assert.deepEqual(
          verdict.addresses.map((a) => [a.field, a.outcome, a.rule, a.reason]),
          expected.map((e) => [e.field, e.outcome, e.rule, e.reason]),
        );
        const report = m.mode === "report";
        const findings = expected.flatMap((e) => [
          ...e.findings.map((f) => ({ ...f, field: e.field })),
          ...(report && e.outcome === "deny"
            ? [{ rule: e.rule, action: "deny", reason: e.reason, field: e.field }]
            : []),
        ]);
        assert.deepEqual(verdict.reportOnly, findings);
        const anyDeny = expected.some((e) => e.outcome === "deny");
        assert.equal(verdict.outcome, anyDeny && !report ? "deny" : "allow");

        const response = answerFor(verdict, policy);
        assert.deepEqual(responseViolations(response), []);
        assert.equal(response.error === undefined, verdict.outcome === "allow");
      }),
      { numRuns: 300 },
    );
  });
});

describe("list entries: the fast path", () => {
  const ascii = fc.stringMatching(/^(?:xn--)?[a-zA-Z0-9.-]{0,30}$/u);
  it("gives exactly what the full IDNA check gives, whenever it answers", () => {
    fc.assert(
      fc.property(ascii, (entry) => {
        const fast = plainAsciiDomain(entry);
        if (fast === undefined) return;
        let slow: string | undefined;
        try {
          slow = compileDomainPolicy([entry]).rules[0]?.domain;
        } catch (error) {
          if (!(error instanceof DomainPolicyError)) throw error;
        }
        assert.equal(fast, slow, entry);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("an ALLOWED_DOMAINS policy", () => {
  it("decides as today's decide() and answers as today's responseFor()", () => {
    const entry = fc.oneof(
      domain,
      domain.map((d) => `*.${d}`),
    );
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: 1, maxLength: 4 }),
        anyAddress,
        anyAddress,
        (entries, email, login) => {
          const wide = entries.some((e) => e.startsWith("*.") && !e.slice(2).includes("."));
          if (wide) return;
          const request = registration({ email, login });
          const { debugContext, ...answer } = answerFor(
            evaluatePolicy(request, policyFromAllowedDomains(entries)),
            policyFromAllowedDomains(entries),
          );
          assert.deepEqual(answer, responseFor(decide(request, compileDomainPolicy(entries))));
          assert.equal(typeof debugContext?.policyVersion, "string");
        },
      ),
      { numRuns: 300 },
    );
  });
});
