// Unit tests for email-address parsing and the email-domain allowlist.

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { describe, it } from "node:test";
import {
  compileDomainPolicy,
  DomainPolicyError,
  describePolicy,
  type EmailParse,
  isDomainAllowed,
  parseDomainList,
  parseEmailAddress,
} from "../src/policy/domains.js";

function parsed(input: unknown): { local: string; domain: string } {
  const result = parseEmailAddress(input);
  if (!result.ok)
    assert.fail(`expected ${JSON.stringify(input)} to parse, got "${result.problem}"`);
  return { local: result.local, domain: result.domain };
}

function problemOf(input: unknown): string {
  const result: EmailParse = parseEmailAddress(input);
  if (result.ok) assert.fail(`expected ${JSON.stringify(input)} to be rejected`);
  return result.problem;
}

function compileError(entries: readonly string[]): DomainPolicyError {
  try {
    compileDomainPolicy(entries);
  } catch (error) {
    assert.ok(error instanceof DomainPolicyError, "expected a DomainPolicyError");
    return error;
  }
  return assert.fail(`expected ${JSON.stringify(entries)} to be refused`);
}

function allowedBy(entries: readonly string[], address: string): boolean {
  const result = parseEmailAddress(address);
  return result.ok && isDomainAllowed(result.domain, compileDomainPolicy(entries));
}

describe("parseEmailAddress: well-formed addresses", () => {
  it("returns the local part as typed and the domain in lower case", () => {
    assert.deepEqual(parsed("Jo.Smith@Example.COM"), { local: "Jo.Smith", domain: "example.com" });
  });

  it("accepts every RFC 5322 atext character in the local part", () => {
    const local = "a!#$%&'*+-/=?^_`{|}~z";
    assert.deepEqual(parsed(`${local}@example.com`), { local, domain: "example.com" });
  });

  it("accepts dots between atoms in the local part", () => {
    assert.equal(parsed("first.middle.last@example.com").local, "first.middle.last");
  });

  it("accepts non-ASCII letters in the local part (RFC 6531)", () => {
    assert.equal(parsed("josé@example.com").local, "josé");
    assert.equal(parsed("用户@example.com").local, "用户");
    assert.equal(parsed("Ελένη@example.com").local, "Ελένη");
  });

  it("accepts combining marks that follow a letter in the local part", () => {
    assert.equal(parsed("राम@example.com").local, "राम");
    assert.equal(parsed("jose\u0301@example.com").local, "jose\u0301");
  });

  it("accepts a local part of exactly 64 octets", () => {
    assert.equal(parsed(`${"a".repeat(64)}@example.com`).local.length, 64);
  });

  it("accepts an address of exactly 254 octets", () => {
    const domain = `${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(57)}.com`;
    const address = `${"a".repeat(64)}@${domain}`;
    assert.equal(address.length, 254);
    assert.equal(parsed(address).domain, domain);
  });

  it("accepts a label of exactly 63 characters", () => {
    assert.equal(parsed(`jo@${"a".repeat(63)}.com`).domain, `${"a".repeat(63)}.com`);
  });

  it("accepts digits and inner hyphens in labels and an alphanumeric top-level label", () => {
    assert.equal(parsed("jo@a-1.b--2.example.xn--p1ai").domain, "a-1.b--2.example.xn--p1ai");
  });
});

describe("parseEmailAddress: input type and size", () => {
  for (const [name, value] of [
    ["undefined", undefined],
    ["null", null],
    ["a number", 42],
    ["a boolean", true],
    ["an object", { toString: () => "jo@example.com" }],
    ["an array", ["jo@example.com"]],
    ["a String object", new String("jo@example.com")],
  ] as const) {
    it(`rejects ${name}`, () => {
      assert.equal(problemOf(value), "is not a string");
    });
  }

  it("rejects the empty string", () => {
    assert.equal(problemOf(""), "is empty");
  });

  it("rejects an address longer than 254 characters", () => {
    const domain = `${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(58)}.com`;
    assert.equal(problemOf(`${"a".repeat(64)}@${domain}`), "is longer than 254 octets");
  });

  it("rejects a megabyte of input without looking at it", () => {
    assert.equal(problemOf(`${"a".repeat(1_000_000)}@example.com`), "is longer than 254 octets");
  });

  it("counts length in UTF-8 octets, not UTF-16 code units", () => {
    const local = "é".repeat(32);
    const domain = `${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(58)}.com`;
    const address = `${local}@${domain}`;
    assert.ok(address.length <= 254);
    assert.equal(problemOf(address), "is longer than 254 octets");
  });

  it("rejects an address that only becomes too long once its domain is in punycode", () => {
    // Mixed ASCII and scattered CJK code points punycode to more octets than their UTF-8.
    const label = "a中b文c字d母e测f试g漢h語";
    const address = `${"a".repeat(64)}@${label}.${label}.${label}.${label}.${label}.example`;
    assert.ok(Buffer.byteLength(address, "utf8") <= 254);
    assert.equal(problemOf(address), "is longer than 254 octets");
  });
});

describe("parseEmailAddress: the @ sign", () => {
  it("rejects an address without an @", () => {
    assert.equal(problemOf("jo.example.com"), "has no @");
  });

  it("does not treat a fullwidth @ (U+FF20) as an @", () => {
    assert.equal(problemOf("jo\uff20example.com"), "has no @");
  });

  for (const address of [
    "a@b@example.com",
    "a@evil.com@example.com",
    '"a@b"@example.com',
    "@@example.com",
    "jo@example.com@",
  ]) {
    it(`rejects a second @ in ${JSON.stringify(address)}`, () => {
      assert.equal(problemOf(address), "has more than one @");
    });
  }
});

describe("parseEmailAddress: local part", () => {
  it("rejects an empty local part", () => {
    assert.equal(problemOf("@example.com"), "local part is empty");
  });

  it("rejects a local part of 65 characters", () => {
    assert.equal(problemOf(`${"a".repeat(65)}@example.com`), "local part is longer than 64 octets");
  });

  it("rejects a local part of 33 two-octet letters (66 octets)", () => {
    assert.equal(problemOf(`${"é".repeat(33)}@example.com`), "local part is longer than 64 octets");
  });

  it("rejects a leading dot in the local part", () => {
    assert.equal(problemOf(".jo@example.com"), "local part starts with a dot");
  });

  it("rejects a trailing dot in the local part", () => {
    assert.equal(problemOf("jo.@example.com"), "local part ends with a dot");
  });

  it("rejects a lone dot as the local part", () => {
    assert.equal(problemOf(".@example.com"), "local part starts with a dot");
  });

  it("rejects consecutive dots in the local part", () => {
    assert.equal(problemOf("jo..smith@example.com"), "local part has consecutive dots");
  });

  for (const [name, local] of [
    ["an emoji", "jo😀"],
    ["a non-ASCII digit", "jo١"],
    ["a non-ASCII symbol", "jo№"],
    ["a non-ASCII punctuation mark", "jo¡"],
    ["a private-use character", "jo\ue000"],
    ["a combining mark at the start", "\u0301jo"],
    ["a combining mark after a dot", "jo.\u0301x"],
    ["a combining mark after a digit", "jo1\u0301"],
  ] as const) {
    it(`rejects ${name} in the local part`, () => {
      assert.equal(
        problemOf(`${local}@example.com`),
        "local part contains a character that is not allowed",
      );
    });
  }

  for (const [name, ch] of [
    ["a zero-width space", "\u200b"],
    ["a zero-width joiner", "\u200d"],
    ["a soft hyphen", "\u00ad"],
    ["a byte-order mark", "\ufeff"],
    ["a Hangul filler letter", "\u3164"],
    ["a variation selector", "\ufe0f"],
  ] as const) {
    it(`rejects ${name} in the local part`, () => {
      assert.equal(problemOf(`jo${ch}@example.com`), "local part contains an invisible character");
    });
  }

  it("rejects a right-to-left override in the local part", () => {
    assert.equal(
      problemOf("jo\u202emoc@example.com"),
      "local part contains an invisible character",
    );
  });
});

describe("parseEmailAddress: whitespace, control characters and injection", () => {
  for (const [name, address] of [
    ["a space in the local part", "jo smith@example.com"],
    ["a leading space", " jo@example.com"],
    ["a trailing space", "jo@example.com "],
    ["a tab", "jo\t@example.com"],
    ["a no-break space (U+00A0)", "jo@example.com\u00a0"],
    ["a narrow no-break space (U+202F)", "jo\u202f@example.com"],
    ["an ideographic space (U+3000)", "jo@example\u3000.com"],
    ["a line separator (U+2028)", "jo@example.com\u2028"],
    ["a paragraph separator (U+2029)", "jo\u2029@example.com"],
    ["an en quad (U+2000)", "jo@exa\u2000mple.com"],
    ["an Ogham space mark (U+1680)", "jo\u1680@example.com"],
    ["a trailing newline", "jo@example.com\n"],
    ["a newline followed by a second address", "jo@example.com\nattacker@evil.com"],
    ["a CRLF header injection", "jo@example.com\r\nBcc: attacker@evil.com"],
  ] as const) {
    it(`rejects ${name}`, () => {
      const problem = problemOf(address);
      assert.ok(
        problem === "contains whitespace" || problem === "contains a control character",
        `unexpected problem "${problem}"`,
      );
    });
  }

  it("reports a no-break space as whitespace", () => {
    assert.equal(problemOf("jo\u00a0@example.com"), "contains whitespace");
  });

  for (const [name, ch] of [
    ["a NUL", "\u0000"],
    ["an escape", "\u001b"],
    ["a DEL", "\u007f"],
    ["a C1 next-line (U+0085)", "\u0085"],
    ["a C1 control sequence introducer (U+009B)", "\u009b"],
    ["a carriage return", "\r"],
    ["a line feed", "\n"],
  ] as const) {
    it(`rejects ${name}`, () => {
      assert.equal(problemOf(`jo${ch}@example.com`), "contains a control character");
      assert.equal(problemOf(`jo@example.com${ch}.evil.com`), "contains a control character");
    });
  }

  it("rejects an unpaired surrogate", () => {
    assert.equal(problemOf("jo\ud800@example.com"), "contains invalid Unicode");
    assert.equal(problemOf("jo@ex\udc00ample.com"), "contains invalid Unicode");
  });
});

describe("parseEmailAddress: header syntax that is never part of a bare address", () => {
  it("rejects a comma-separated list of addresses", () => {
    assert.equal(problemOf("jo@example.com,attacker@evil.com"), "has more than one @");
  });

  it("rejects a comma in the local part", () => {
    assert.equal(problemOf("jo,smith@example.com"), "contains a comma");
  });

  it("rejects a comma in the domain", () => {
    assert.equal(problemOf("jo@example.com,evil.com"), "contains a comma");
  });

  it("rejects a display name with angle brackets", () => {
    assert.notEqual(parseEmailAddress("Jo <jo@example.com>").ok, true);
    assert.equal(problemOf("<jo@example.com>"), "contains an angle bracket");
  });

  it("rejects a quoted local part", () => {
    assert.equal(problemOf('"jo"@example.com'), "contains a double quote");
  });

  it("rejects a comment in parentheses", () => {
    assert.equal(problemOf("jo(comment)@example.com"), "contains a parenthesis");
  });

  it("rejects a semicolon (group syntax)", () => {
    assert.equal(problemOf("jo;@example.com"), "contains a semicolon");
  });

  it("rejects a colon (group syntax)", () => {
    assert.equal(problemOf("list:jo@example.com"), "contains a colon");
  });

  it("rejects a backslash", () => {
    assert.equal(problemOf("jo\\@example.com"), "contains a backslash");
  });

  it("rejects square brackets outside the domain", () => {
    assert.equal(problemOf("jo[1]@example.com"), "contains a square bracket");
  });
});

describe("parseEmailAddress: domain syntax", () => {
  it("rejects an empty domain", () => {
    assert.equal(problemOf("jo@"), "domain is empty");
  });

  it("rejects a trailing dot on the domain", () => {
    assert.equal(
      problemOf("jo@example.com."),
      "domain has an empty label (leading, trailing or double dot)",
    );
  });

  it("rejects a leading dot on the domain", () => {
    assert.equal(
      problemOf("jo@.example.com"),
      "domain has an empty label (leading, trailing or double dot)",
    );
  });

  it("rejects consecutive dots in the domain", () => {
    assert.equal(
      problemOf("jo@example..com"),
      "domain has an empty label (leading, trailing or double dot)",
    );
  });

  it("rejects a single-label domain", () => {
    assert.equal(problemOf("jo@localhost"), "domain has only one label");
  });

  it("rejects a label of 64 characters", () => {
    assert.equal(
      problemOf(`jo@${"a".repeat(64)}.com`),
      "domain has a label longer than 63 characters",
    );
  });

  it("rejects a domain too long for any address before looking at its labels", () => {
    const domain = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(60)}.com`;
    assert.equal(domain.length, 256);
    assert.equal(problemOf(`j@${domain}`), "is longer than 254 octets");
  });

  it("rejects a label that starts or ends with a hyphen", () => {
    const problem = "domain has a label that starts or ends with a hyphen";
    assert.equal(problemOf("jo@-example.com"), problem);
    assert.equal(problemOf("jo@example-.com"), problem);
    assert.equal(problemOf("jo@example.com-"), problem);
  });

  for (const [name, domain] of [
    ["an underscore", "ex_ample.com"],
    ["a percent-encoded letter", "ex%61mple.com"],
    ["a percent-encoded dot", "evil%2ecom"],
    ["a slash that a URL parser would cut at", "evil.com/.example.com"],
    ["a question mark that a URL parser would cut at", "evil.com?.example.com"],
    ["a number sign that a URL parser would cut at", "evil.com#.example.com"],
    ["an asterisk", "*.example.com"],
    ["an exclamation mark", "ex!ample.com"],
    ["a plus sign", "ex+ample.com"],
  ] as const) {
    it(`rejects ${name} in the domain`, () => {
      assert.equal(
        problemOf(`jo@${domain}`),
        "domain contains a character that is not allowed in a host name",
      );
    });
  }

  it("rejects a fullwidth character that UTS-46 maps to a URL delimiter", () => {
    for (const ch of ["\uff03", "\uff0f", "\uff1f", "\uff05", "\uff3c", "\uff3f"]) {
      assert.equal(
        parseEmailAddress(`jo@evil.com${ch}.example.com`).ok,
        false,
        `U+${ch.codePointAt(0)?.toString(16)}`,
      );
    }
  });
});

describe("parseEmailAddress: IP addresses", () => {
  it("rejects an IPv4 address literal", () => {
    assert.equal(problemOf("jo@[127.0.0.1]"), "domain is an address literal");
  });

  it("rejects an IPv6 address literal", () => {
    assert.equal(problemOf("jo@[IPv6:::1]"), "domain is an address literal");
  });

  for (const domain of [
    "127.0.0.1",
    "10.0.0.1",
    "0177.0.0.1",
    "0x7f.0.0.1",
    "0x7f.1",
    "2130706433",
    "1.2.3",
  ]) {
    it(`rejects the bare IPv4 host ${domain}`, () => {
      assert.equal(parseEmailAddress(`jo@${domain}`).ok, false);
    });
  }

  it("explains a dotted-quad IPv4 host", () => {
    assert.equal(problemOf("jo@127.0.0.1"), "domain looks like an IP address");
  });

  it("rejects a top-level label that does not begin with a letter, such as a hexadecimal number", () => {
    for (const address of ["jo@example.0x1", "jo@example.1a"]) {
      assert.equal(problemOf(address), "domain's top-level label does not begin with a letter");
    }
  });
});

describe("parseEmailAddress: internationalized domains", () => {
  it("treats bücher.example, BÜCHER.example and xn--bcher-kva.example as the same domain", () => {
    for (const domain of [
      "bücher.example",
      "BÜCHER.example",
      "xn--bcher-kva.example",
      "XN--BCHER-KVA.EXAMPLE",
    ]) {
      assert.equal(parsed(`jo@${domain}`).domain, "xn--bcher-kva.example", domain);
    }
  });

  it("treats a decomposed accent the same as the precomposed letter (NFC)", () => {
    assert.equal(parsed("jo@bu\u0308cher.example").domain, "xn--bcher-kva.example");
  });

  it("keeps a Cyrillic look-alike of example.com distinct from example.com", () => {
    assert.equal(parsed("jo@ex\u0430mple.com").domain, "xn--exmple-4nf.com");
  });

  it("rejects a malformed punycode label", () => {
    assert.equal(
      problemOf("jo@xn--a.example"),
      "domain is not a valid internationalized domain name",
    );
  });

  it("maps fullwidth Latin letters to ASCII, as UTS-46 prescribes", () => {
    assert.equal(parsed("jo@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com").domain, "example.com");
  });

  it("maps ideographic and fullwidth full stops to dots, as UTS-46 prescribes", () => {
    assert.equal(parsed("jo@example\u3002com").domain, "example.com");
    assert.equal(parsed("jo@example\uff0ecom").domain, "example.com");
    assert.equal(parsed("jo@example\uff61com").domain, "example.com");
  });

  for (const [name, ch] of [
    ["a soft hyphen", "\u00ad"],
    ["a zero-width space", "\u200b"],
    ["a word joiner", "\u2060"],
    ["a combining grapheme joiner", "\u034f"],
    ["a variation selector", "\ufe0f"],
    ["a byte-order mark", "\ufeff"],
  ] as const) {
    it(`rejects ${name} that IDNA would silently drop from the domain`, () => {
      assert.equal(
        problemOf(`jo@ex${ch}ample.com`),
        "domain contains a character that IDNA ignores",
      );
    });
  }

  it("rejects a zero-width joiner outside the context IDNA allows", () => {
    assert.equal(
      problemOf("jo@ex\u200dample.com"),
      "domain is not a valid internationalized domain name",
    );
  });

  it("rejects a right-to-left override in the domain", () => {
    assert.equal(
      problemOf("jo@exa\u202emple.com"),
      "domain is not a valid internationalized domain name",
    );
  });

  it("keeps a valid punycode label as it is", () => {
    assert.equal(parsed("jo@xn--ls8h.example").domain, "xn--ls8h.example");
  });
});

describe("parseDomainList", () => {
  it("splits on commas", () => {
    assert.deepEqual(parseDomainList("example.com,*.corp.example.org"), [
      "example.com",
      "*.corp.example.org",
    ]);
  });

  it("splits on whitespace, including newlines and tabs", () => {
    assert.deepEqual(parseDomainList("a.example\nb.example\tc.example  d.example"), [
      "a.example",
      "b.example",
      "c.example",
      "d.example",
    ]);
  });

  it("splits on commas mixed with whitespace and drops empty entries", () => {
    assert.deepEqual(parseDomainList(" , a.example , ,b.example,,\n c.example ,"), [
      "a.example",
      "b.example",
      "c.example",
    ]);
  });

  it("returns nothing for an empty or separator-only value", () => {
    assert.deepEqual(parseDomainList(""), []);
    assert.deepEqual(parseDomainList(" ,\n, "), []);
  });

  it("does not change case or convert IDNs (compilation does that)", () => {
    assert.deepEqual(parseDomainList("BÜCHER.example"), ["BÜCHER.example"]);
  });
});

describe("compileDomainPolicy", () => {
  it("normalizes case and IDN forms and drops duplicates", () => {
    const policy = compileDomainPolicy([
      "bücher.example",
      "BÜCHER.example",
      "xn--bcher-kva.example",
      "Example.COM",
      "example.com",
    ]);
    assert.deepEqual(describePolicy(policy), ["xn--bcher-kva.example", "example.com"]);
    assert.deepEqual(policy.rules, [
      { kind: "exact", domain: "xn--bcher-kva.example" },
      { kind: "exact", domain: "example.com" },
    ]);
  });

  it("keeps an apex rule and a wildcard rule for the same domain as two rules", () => {
    const policy = compileDomainPolicy(["example.com", "*.example.com", "*.EXAMPLE.com"]);
    assert.deepEqual(describePolicy(policy), ["example.com", "*.example.com"]);
    assert.ok(policy.exactDomains.has("example.com"));
    assert.ok(policy.subdomainBases.has("example.com"));
  });

  it("accepts a wildcard over a two-label domain", () => {
    assert.deepEqual(describePolicy(compileDomainPolicy(["*.example.com"])), ["*.example.com"]);
  });

  it("returns a frozen policy", () => {
    const policy = compileDomainPolicy(["example.com"]);
    assert.ok(Object.isFrozen(policy));
    assert.ok(Object.isFrozen(policy.rules));
  });

  it("refuses an empty list without naming an entry", () => {
    const error = compileError([]);
    assert.equal(error.message, "is empty; list at least one domain");
    assert.equal(error.entry, undefined);
    assert.equal(error.name, "DomainPolicyError");
    assert.ok(error instanceof Error);
  });

  const badEntries: readonly (readonly [string, string])[] = [
    ["", "is empty"],
    ["*", 'a bare "*" would allow every domain'],
    ["*.", "is not a valid domain (domain is empty)"],
    ["*.*.example.com", '"*" is only allowed as a leading "*."'],
    ["**.example.com", '"*" is only allowed as a leading "*."'],
    ["*example.com", '"*" is only allowed as a leading "*."'],
    ["ex*ample.com", '"*" is only allowed as a leading "*."'],
    ["example.*", '"*" is only allowed as a leading "*."'],
    ["example.com.*", '"*" is only allowed as a leading "*."'],
    ["*.com", "a wildcard over a single label would allow a whole top-level domain"],
    ["*.COM", "a wildcard over a single label would allow a whole top-level domain"],
    ["*.рф", "a wildcard over a single label would allow a whole top-level domain"],
    ["com", "is not a valid domain (domain has only one label)"],
    ["localhost", "is not a valid domain (domain has only one label)"],
    [".example.com", 'starts with a dot; write "*.example.com"'],
    ["*..example.com", "is not a valid domain (domain has an empty label"],
    ["example.com.", "is not a valid domain (domain has an empty label"],
    ["example..com", "is not a valid domain (domain has an empty label"],
    [
      "-example.com",
      "is not a valid domain (domain has a label that starts or ends with a hyphen)",
    ],
    [
      "ex_ample.com",
      "is not a valid domain (domain contains a character that is not allowed in a host name)",
    ],
    ["jo@example.com", "looks like an email address; list only the domain"],
    ["@example.com", "looks like an email address; list only the domain"],
    [
      "https://example.com",
      "is not a valid domain (domain contains a character that is not allowed",
    ],
    ["example.com/path", "is not a valid domain (domain contains a character that is not allowed"],
    [" example.com", "is not a valid domain (domain contains whitespace)"],
    ["127.0.0.1", "is not a valid domain (domain looks like an IP address)"],
    ["[127.0.0.1]", "is not a valid domain (domain contains a character that is not allowed"],
    ["ex\u00adample.com", "is not a valid domain (domain contains a character that IDNA ignores)"],
    [
      "xn--a.example",
      "is not a valid domain (domain is not a valid internationalized domain name)",
    ],
    [
      `${"a".repeat(64)}.com`,
      "is not a valid domain (domain has a label longer than 63 characters)",
    ],
    [`${"a.".repeat(126)}com`, "is not a valid domain (domain is too long)"],
  ];
  for (const [entry, why] of badEntries) {
    it(`refuses ${JSON.stringify(entry)} and names it in the message`, () => {
      const error = compileError(["example.org", entry]);
      assert.equal(error.entry, entry);
      assert.ok(error.message.startsWith('entry "'), `unexpected message: ${error.message}`);
      assert.ok(error.message.includes(`": ${why}`), `unexpected message: ${error.message}`);
      if (entry.length < 100 && [...entry].every((ch) => ch >= " " && ch <= "~")) {
        assert.ok(error.message.startsWith(`entry ${JSON.stringify(entry)}: `), error.message);
      }
    });
  }

  it("produces a message the caller can prefix with the setting name", () => {
    const error = compileError(["*."]);
    assert.equal(
      `ALLOWED_DOMAINS ${error.message}`,
      'ALLOWED_DOMAINS entry "*.": is not a valid domain (domain is empty)',
    );
  });

  it("escapes control and invisible characters when naming an entry", () => {
    const error = compileError(["exa\nmple.com\u202e"]);
    assert.equal(error.message.includes("\n"), false);
    assert.equal(error.message.includes("\u202e"), false);
    assert.ok(error.message.startsWith('entry "exa\\u{a}mple.com\\u{202e}": '), error.message);
  });

  it("truncates a very long entry when naming it", () => {
    const error = compileError([`${"a".repeat(5000)}.com`]);
    assert.ok(error.message.length < 300, `message is ${error.message.length} characters`);
  });
});

describe("isDomainAllowed", () => {
  it("allows a domain listed exactly", () => {
    assert.equal(isDomainAllowed("example.com", compileDomainPolicy(["example.com"])), true);
  });

  it("matches regardless of the case used in the policy or the address", () => {
    assert.equal(allowedBy(["EXAMPLE.com"], "jo@example.COM"), true);
  });

  it("does not extend an exact entry to its subdomains", () => {
    assert.equal(isDomainAllowed("mail.example.com", compileDomainPolicy(["example.com"])), false);
  });

  it("does not extend an exact entry to its parent", () => {
    assert.equal(isDomainAllowed("example.com", compileDomainPolicy(["mail.example.com"])), false);
  });

  it("lets a wildcard match subdomains at any depth", () => {
    const policy = compileDomainPolicy(["*.example.com"]);
    for (const domain of ["a.example.com", "a.b.example.com", "x.y.z.w.example.com"]) {
      assert.equal(isDomainAllowed(domain, policy), true, domain);
    }
  });

  it("does not let a wildcard match its apex", () => {
    assert.equal(isDomainAllowed("example.com", compileDomainPolicy(["*.example.com"])), false);
  });

  it("allows both the apex and its subdomains when both are listed", () => {
    const policy = compileDomainPolicy(["example.com", "*.example.com"]);
    assert.equal(isDomainAllowed("example.com", policy), true);
    assert.equal(isDomainAllowed("a.example.com", policy), true);
    assert.equal(isDomainAllowed("a.b.example.com", policy), true);
    assert.equal(isDomainAllowed("example.org", policy), false);
  });

  it("denies a domain that merely ends with the allowed domain's characters", () => {
    const policy = compileDomainPolicy(["example.com", "*.example.net"]);
    for (const domain of [
      "evilexample.com",
      "notexample.com",
      "x-example.com",
      "evilexample.net",
      "a.evilexample.net",
    ]) {
      assert.equal(isDomainAllowed(domain, policy), false, domain);
    }
  });

  it("denies a domain that merely starts with the allowed domain", () => {
    const policy = compileDomainPolicy(["example.com", "*.example.net"]);
    for (const domain of [
      "example.com.evil.com",
      "example.community",
      "example.co",
      "example.com-evil.net",
      "a.example.net.evil.com",
    ]) {
      assert.equal(isDomainAllowed(domain, policy), false, domain);
    }
  });

  it("denies anything that is not already a canonical lower-case ASCII domain", () => {
    const policy = compileDomainPolicy(["example.com", "*.example.net"]);
    for (const domain of [
      "",
      ".",
      "EXAMPLE.COM",
      "example.com.",
      ".example.com",
      "a..example.net",
      ".example.net",
      "bücher.example",
      "exa mple.com",
      `${"a.".repeat(130)}example.net`,
    ]) {
      assert.equal(isDomainAllowed(domain, policy), false, JSON.stringify(domain));
    }
  });

  it("treats IDN policy entries and IDN address domains in any form as equivalent", () => {
    const forms = ["bücher.example", "BÜCHER.example", "xn--bcher-kva.example"];
    for (const entry of forms) {
      for (const domain of forms) {
        assert.equal(allowedBy([entry], `jo@${domain}`), true, `${entry} vs ${domain}`);
        assert.equal(
          allowedBy([`*.${entry}`], `jo@shop.${domain}`),
          true,
          `*.${entry} vs shop.${domain}`,
        );
      }
    }
  });

  it("denies a look-alike domain written in Cyrillic", () => {
    assert.equal(allowedBy(["example.com"], "jo@ex\u0430mple.com"), false);
    assert.equal(allowedBy(["*.example.com"], "jo@mail.ex\u0430mple.com"), false);
  });

  it("allows a domain typed in fullwidth letters, because UTS-46 maps it to the same ASCII name", () => {
    assert.equal(
      allowedBy(["example.com"], "jo@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com"),
      true,
    );
  });
});

describe("hostile addresses against the policy example.com, *.corp.example.org", () => {
  type Outcome = "allowed" | "denied" | "invalid";
  const policy = compileDomainPolicy(["example.com", "*.corp.example.org"]);
  const table: readonly (readonly [string, Outcome])[] = [
    ["jo@example.com", "allowed"],
    ["Jo@EXAMPLE.com", "allowed"],
    ["jo@a.corp.example.org", "allowed"],
    ["jo@a.b.c.corp.example.org", "allowed"],
    ["jo@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com", "allowed"],
    ["jo@example\u3002com", "allowed"],
    ["jo@corp.example.org", "denied"],
    ["jo@example.org", "denied"],
    ["jo@sub.example.com", "denied"],
    ["jo@evilexample.com", "denied"],
    ["jo@example.com.evil.com", "denied"],
    ["jo@example.co", "denied"],
    ["jo@example.community", "denied"],
    ["jo@evilcorp.example.org", "denied"],
    ["jo@corp.example.org.evil.com", "denied"],
    ["jo@ex\u0430mple.com", "denied"],
    ["jo@xn--exmple-4nf.com", "denied"],
    ["jo@a.corp.ex\u0430mple.org", "denied"],
    ["jo@evil\uff0ecom", "denied"],
    ["a@b@example.com", "invalid"],
    ["a@evil.com@example.com", "invalid"],
    ['"a@b"@example.com', "invalid"],
    ['"attacker@evil.com"@example.com', "invalid"],
    ["attacker@evil.com,jo@example.com", "invalid"],
    ["jo@example.com,attacker@evil.com", "invalid"],
    ["attacker,jo@example.com", "invalid"],
    ["Jo <jo@example.com>", "invalid"],
    ["<attacker@evil.com>jo@example.com", "invalid"],
    ["attacker@evil.com (jo@example.com)", "invalid"],
    ["jo(attacker@evil.com)@example.com", "invalid"],
    ["attacker@evil.com;jo@example.com", "invalid"],
    ["jo@example.com\nattacker@evil.com", "invalid"],
    ["jo@example.com\r\nBcc: attacker@evil.com", "invalid"],
    ["jo@example.com\u0000.evil.com", "invalid"],
    ["jo@example.com\u2028", "invalid"],
    ["jo@example.com\u00a0", "invalid"],
    [" jo@example.com", "invalid"],
    ["jo@example.com.", "invalid"],
    ["jo@a.corp.example.org.", "invalid"],
    ["jo@.example.com", "invalid"],
    ["jo@example..com", "invalid"],
    ["jo@.corp.example.org", "invalid"],
    ["jo@[127.0.0.1]", "invalid"],
    ["jo@127.0.0.1", "invalid"],
    ["jo@evil.com#.example.com", "invalid"],
    ["jo@evil.com/.example.com", "invalid"],
    ["jo@evil.com?.example.com", "invalid"],
    ["jo@evil.com\\.example.com", "invalid"],
    ["jo@evil.com\uff03.example.com", "invalid"],
    ["jo@evil.com:example.com", "invalid"],
    ["jo@ex%61mple.com", "invalid"],
    ["jo@ex\u00adample.com", "invalid"],
    ["jo@ex\u200bample.com", "invalid"],
    ["jo@*.corp.example.org", "invalid"],
    ["@example.com", "invalid"],
    [".jo@example.com", "invalid"],
    ["jo.@example.com", "invalid"],
    ["jo..smith@example.com", "invalid"],
    ["jo\uff20example.com", "invalid"],
    ["example.com", "invalid"],
  ];

  for (const [address, expected] of table) {
    it(`${expected === "invalid" ? "rejects" : expected === "allowed" ? "allows" : "denies"} ${JSON.stringify(address)}`, () => {
      const result = parseEmailAddress(address);
      const outcome: Outcome = !result.ok
        ? "invalid"
        : isDomainAllowed(result.domain, policy)
          ? "allowed"
          : "denied";
      assert.equal(outcome, expected);
      if (!result.ok) {
        assert.equal(result.problem.includes(address), false, "problem must not echo the address");
        assert.equal(
          result.problem.includes("attacker"),
          false,
          "problem must not echo the address",
        );
        assert.equal(result.problem.includes("evil"), false, "problem must not echo the address");
        assert.equal(
          result.problem.includes("example"),
          false,
          "problem must not echo the address",
        );
      }
    });
  }
});
