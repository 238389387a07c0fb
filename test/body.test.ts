// Body parsing (src/http/body.ts): `__proto__` and `constructor.prototype` keys never survive
// parsing, so they can neither pollute a prototype nor stand in for a missing property later.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseJsonBody } from "../src/http/body.js";

const HOSTILE = '{"__proto__":{"polluted":1},"a":{"constructor":{"prototype":{"x":1}}}}';

/** Fails unless `value` is the hostile body with both prototype keys gone. */
function assertNoPrototypeKeys(value: unknown): void {
  assert.ok(typeof value === "object" && value !== null, "an object");
  assert.equal(Object.hasOwn(value, "__proto__"), false, "an own __proto__ key survived");
  assert.equal(Object.getPrototypeOf(value), Object.prototype, "its prototype was replaced");
  assert.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype polluted");
  const a: unknown = (value as Record<string, unknown>).a;
  assert.ok(typeof a === "object" && a !== null, "a is kept");
  assert.equal(Object.hasOwn(a, "constructor"), false, "a.constructor survived");
}

describe("parseJsonBody", () => {
  it("drops __proto__ and constructor.prototype keys", () => {
    const parsed = parseJsonBody(Buffer.from(HOSTILE));
    assert.ok(parsed.ok, "the body is valid JSON");
    assertNoPrototypeKeys(parsed.value);
    assert.deepEqual(Object.keys(parsed.value as object), ["a"]);
  });

  it("is needed: with JSON.parse the keys survive and the check above fails", () => {
    // JSON.parse creates an own "__proto__" property (it pollutes nothing, but a later
    // spread or Object.assign would turn it into a prototype), and keeps a.constructor.
    const plain: unknown = JSON.parse(HOSTILE);
    assert.equal(Object.hasOwn(plain as object, "__proto__"), true);
    assert.throws(() => assertNoPrototypeKeys(plain), assert.AssertionError);
  });

  it("keeps ordinary keys and values, and refuses what is not JSON", () => {
    const parsed = parseJsonBody(
      Buffer.from('{"data":{"userProfile":{"email":"jo@example.com"}}}'),
    );
    assert.deepEqual(parsed, {
      ok: true,
      value: { data: { userProfile: { email: "jo@example.com" } } },
    });
    const broken = parseJsonBody(Buffer.from('{"eventType": '));
    assert.equal(broken.ok, false);
    assert.equal(!broken.ok && broken.problem, "malformedJson");
  });
});
