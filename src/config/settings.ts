// The one table of settings: what each accepts, how it reads from the environment (a string)
// and from CONFIG_FILE (YAML or JSON values), and its description. loadConfig validates with it,
// and config/config.schema.json is generated from it (npm run generate), so the two cannot differ.

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

type Kind =
  | { readonly kind: "integer"; readonly min: number; readonly max: number }
  | { readonly kind: "list" }
  | {
      readonly kind: "choice";
      readonly choices: readonly [string, ...string[]];
      readonly default: string;
    }
  | { readonly kind: "text"; readonly minLength: number }
  /** A whole document, only in CONFIG_FILE (the environment cannot hold one). */
  | { readonly kind: "document"; readonly schemaRef: string };

export type Setting = Kind & { readonly description: string };

/** Every setting a CONFIG_FILE may hold; the environment may set each of them too. */
export const SETTINGS = {
  PORT: { kind: "integer", min: 0, max: 65535, description: "TCP port (read at start only)." },
  ALLOWED_DOMAINS: {
    kind: "list",
    description: "Allowed domains: example.com (exactly) or *.example.com (any subdomain).",
  },
  HOOK_AUTH_MODE: {
    kind: "choice",
    choices: ["header", "oauth"],
    default: "header",
    description: "How Okta authenticates: a shared-secret header, or an OAuth 2.0 bearer token.",
  },
  HOOK_AUTH_HEADER: { kind: "text", minLength: 1, description: "The header carrying the secret." },
  HOOK_AUTH_SECRET: {
    kind: "text",
    minLength: 16,
    description: "The shared secret: at least 16 visible ASCII characters.",
  },
  HOOK_AUTH_SECRET_PREVIOUS: {
    kind: "text",
    minLength: 16,
    description: "The secret being rotated out, accepted too until removed.",
  },
  OAUTH_ISSUER: { kind: "text", minLength: 1, description: "The authorization server's issuer." },
  OAUTH_AUDIENCE: { kind: "text", minLength: 1, description: "The token's expected audience." },
  OAUTH_JWKS_URI: { kind: "text", minLength: 1, description: "Where the signing keys are." },
  OAUTH_CLIENT_ID: { kind: "text", minLength: 1, description: "The token's expected cid." },
  OAUTH_SCOPE: { kind: "text", minLength: 1, description: "A scope the token must carry." },
  OAUTH_ALGORITHMS: { kind: "list", description: "Accepted asymmetric JWS algorithms." },
  OAUTH_CLOCK_TOLERANCE: {
    kind: "integer",
    min: 0,
    max: 300,
    description: "Seconds of clock skew accepted.",
  },
  FAIL_MODE: {
    kind: "choice",
    choices: ["closed", "open"],
    default: "closed",
    description: "What an internal failure answers: closed 500, open 204.",
  },
  LOG_LEVEL: {
    kind: "choice",
    choices: LOG_LEVELS,
    default: "info",
    description: "pino log level.",
  },
  POLICY_FILE: {
    kind: "text",
    minLength: 1,
    description:
      "A registration policy file (YAML or JSON, see policy/policy.schema.json); list files are relative to it. Not with ALLOWED_DOMAINS.",
  },
  policy: {
    kind: "document",
    schemaRef: "../policy/policy.schema.json",
    description:
      "A registration policy held in this file instead of POLICY_FILE; list files are relative to this file. Not with ALLOWED_DOMAINS.",
  },
  DOCS: {
    kind: "choice",
    choices: ["on", "off"],
    default: "on",
    description: "Publish /docs, /openapi.json and /openapi.yaml (on), or not (off).",
  },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

export function isSettingName(name: string): name is SettingName {
  return Object.hasOwn(SETTINGS, name);
}

/** The JSON Schema of CONFIG_FILE, built from the table. */
export function configFileSchema(): object {
  const properties: Record<string, object> = {};
  for (const name of SETTING_NAMES) {
    const setting: Setting = SETTINGS[name];
    const { description } = setting;
    switch (setting.kind) {
      case "integer":
        properties[name] = {
          description,
          oneOf: [
            { type: "integer", minimum: setting.min, maximum: setting.max },
            { type: "string", pattern: "^[0-9]+$" },
          ],
        };
        break;
      case "list":
        properties[name] = {
          description,
          oneOf: [
            { type: "string", minLength: 1 },
            { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 },
          ],
        };
        break;
      case "choice":
        properties[name] = {
          description: `${description} Read in any case.`,
          type: "string",
          enum: [...setting.choices],
          default: setting.default,
        };
        break;
      case "text":
        properties[name] = { description, type: "string", minLength: setting.minLength };
        break;
      case "document":
        properties[name] = { description, type: "object" };
        break;
    }
  }
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: "urn:okta-registration-hook:config",
    title: "Registration hook configuration file (CONFIG_FILE)",
    description:
      "The same settings as the environment variables, under the same names. The environment overrides the file. Lists may be written as arrays. Generated from src/config/settings.ts by npm run generate.",
    type: "object",
    additionalProperties: false,
    properties,
  };
}
