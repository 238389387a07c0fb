// The policy document's JSON Schema: the one source of the shipped policy/policy.schema.json
// (written by `npm run policy -- schema`, checked equal by test/policy-schema.test.ts) and of
// the TypeScript type of a policy (json-schema-to-ts), so the two can never drift apart.
import type { FromSchema } from "json-schema-to-ts";

/** Rule ids and list names: a lower-case token of at most 64 characters. */
export const TOKEN_PATTERN = "^[a-z0-9][a-z0-9._-]{0,63}$";
/** A denial reason as Okta's errorCauses[].reason carries it. */
export const REASON_PATTERN = "^[A-Z][A-Z0-9_]{0,63}$";
/** A BCP 47-ish language tag; `_` is accepted as Okta writes `en_US`. */
export const LOCALE_PATTERN = "^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8}){0,8}$";
/** An Okta user profile attribute (variable) name. */
export const ATTRIBUTE_PATTERN = "^[A-Za-z][A-Za-z0-9_]{0,49}$";

/** How the schema is compiled (to code, by `npm run generate`: generated/validators.cjs). */
export const POLICY_AJV_OPTIONS = { allErrors: false, verbose: true, strict: true } as const;

const description = { type: "string", maxLength: 2000 } as const;

export const policySchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "Registration hook policy",
  description:
    "Which email addresses may register, and what the person is told when they may not. Rules are tried in order for each address and the first that matches decides it; an address no rule matches gets `default`. A registration is allowed only when every address it carries is allowed.",
  type: "object",
  required: ["default", "rules"],
  additionalProperties: false,
  properties: {
    $schema: { type: "string", description: "Where editors find this schema; ignored." },
    description,
    default: {
      type: "string",
      enum: ["allow", "deny"],
      description:
        "The decision for an address that no rule matches. A default denial has the reason INVALID_EMAIL_DOMAIN.",
    },
    defaultLocale: {
      type: "string",
      pattern: LOCALE_PATTERN,
      maxLength: 64,
      description:
        "The locale of the messages when the person's locale is unknown or has no message. Default `en`; English is always the last fallback.",
    },
    mode: {
      type: "string",
      enum: ["enforce", "report"],
      description:
        "`report` evaluates the whole policy without enforcing it: every answer allows, and the denials the policy would have made are reported in debugContext. Default `enforce`.",
    },
    lists: {
      type: "object",
      description:
        "Custom domain lists, by name. The built-in lists `disposable` and `free-webmail` need no entry here and cannot be redefined.",
      propertyNames: { type: "string", pattern: TOKEN_PATTERN },
      additionalProperties: {
        type: "object",
        required: ["file"],
        additionalProperties: false,
        properties: {
          file: {
            type: "string",
            minLength: 1,
            maxLength: 4096,
            description:
              "A text file of domains, one a line; `#` starts a comment; blank lines are ignored. A path relative to the policy file. A domain matches itself and all its subdomains.",
          },
          description,
        },
      },
    },
    rules: {
      type: "array",
      maxItems: 1000,
      items: {
        type: "object",
        required: ["id", "match", "action"],
        additionalProperties: false,
        properties: {
          id: {
            type: "string",
            pattern: TOKEN_PATTERN,
            description: "Unique. `default` and `address` are reserved.",
          },
          description,
          match: {
            type: "object",
            description:
              "At least one of domains, addresses and lists; the rule matches when any of them matches.",
            additionalProperties: false,
            minProperties: 1,
            properties: {
              domains: {
                type: "array",
                minItems: 1,
                maxItems: 10000,
                description:
                  "`example.com` matches exactly that domain; `*.example.com` matches its subdomains at any depth but not example.com itself.",
                items: { type: "string", minLength: 1, maxLength: 1024 },
              },
              addresses: {
                type: "array",
                minItems: 1,
                maxItems: 10000,
                description: "Whole addresses, compared case-insensitively.",
                items: { type: "string", minLength: 1, maxLength: 254 },
              },
              lists: {
                type: "array",
                minItems: 1,
                maxItems: 64,
                uniqueItems: true,
                description:
                  "Names of lists: `disposable`, `free-webmail` or one defined under `lists`. A list matches a domain and its subdomains.",
                items: { type: "string", pattern: TOKEN_PATTERN },
              },
            },
          },
          action: { type: "string", enum: ["allow", "deny"] },
          reason: {
            type: "string",
            pattern: REASON_PATTERN,
            description:
              "Deny rules only: the reason sent to Okta, instead of the one the match implies (DENIED_EMAIL_ADDRESS, DENIED_EMAIL_DOMAIN, DISPOSABLE_EMAIL, FREE_EMAIL_PROVIDER). A reason of your own needs an English message under `messages`.",
          },
          enforce: {
            type: "boolean",
            description:
              "`false` makes the rule report-only: evaluated and reported, but the decision is made as if it were absent. Default `true`.",
          },
          profile: {
            type: "object",
            description:
              "Allow rules only: Okta profile attributes to set on the user a self-service registration creates. Never email, login or password, nor a name Okta reserves.",
            maxProperties: 100,
            propertyNames: { type: "string", pattern: ATTRIBUTE_PATTERN },
            additionalProperties: {
              anyOf: [
                { type: "string", maxLength: 1024 },
                { type: "number" },
                { type: "boolean" },
                { type: "null" },
              ],
            },
          },
        },
      },
    },
    messages: {
      type: "object",
      description:
        "Messages shown to the person, by reason then by locale (`en`, `fr`, `de-CH`...). `REGISTRATION_DENIED` is the summary of the whole error.",
      propertyNames: { type: "string", pattern: REASON_PATTERN },
      additionalProperties: {
        type: "object",
        minProperties: 1,
        propertyNames: { type: "string", pattern: LOCALE_PATTERN, maxLength: 64 },
        additionalProperties: { type: "string", minLength: 1, maxLength: 1000 },
      },
    },
  },
} as const;

/** A policy document as written, after it passed the schema. */
export type PolicyDocument = FromSchema<typeof policySchema>;
export type PolicyRuleDocument = PolicyDocument["rules"][number];
export type ProfileValue = string | number | boolean | null;
