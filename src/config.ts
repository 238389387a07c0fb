// Service configuration: read once from an environment map, validated, with every setting named in its error.
import {
  compileDomainPolicy,
  type DomainPolicy,
  DomainPolicyError,
  parseDomainList,
} from "./policy/domains.js";

/** The Okta guide's example secret (`admin:supersecret`): fine for a first try, refused in production. */
export const DEMO_SECRET = "Basic YWRtaW46c3VwZXJzZWNyZXQ=";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly port: number;
  readonly production: boolean;
  readonly allowedDomains: DomainPolicy;
  readonly auth: {
    readonly header: string;
    readonly secrets: readonly string[];
    /** True when no secret was configured and the demo secret stands in. */
    readonly usingDemoSecret: boolean;
  };
  readonly logLevel: LogLevel;
}

export class ConfigError extends Error {
  constructor(setting: string, problem: string) {
    super(`${setting}: ${problem}`);
    this.name = "ConfigError";
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function setting(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined) return 3000;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError("PORT", `"${raw}" is not a port number (0-65535)`);
  }
  return port;
}

// RFC 9110 token characters: anything else cannot be a header name.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function parseHeaderName(raw: string | undefined): string {
  const name = raw ?? "authorization";
  if (!HEADER_NAME.test(name)) {
    throw new ConfigError("HOOK_AUTH_HEADER", `"${name}" is not a valid HTTP header name`);
  }
  return name.toLowerCase();
}

const DEMO_CREDENTIALS = ["ywrtaw46c3vwzxjzzwnyzxq", "admin:supersecret"];

/** Catches the demo secret in any spelling: another case, other spacing, without its scheme. */
function isDemoSecret(value: string): boolean {
  const folded = value.replace(/\s+/g, "").toLowerCase();
  return DEMO_CREDENTIALS.some((credential) => folded.includes(credential));
}

function parseSecret(
  name: string,
  raw: string | undefined,
  production: boolean,
): string | undefined {
  if (raw === undefined) return undefined;
  if (production && isDemoSecret(raw)) {
    throw new ConfigError(
      name,
      "is the demo secret from Okta's guide; set a secret of your own in production",
    );
  }
  if (raw.length < 16) {
    throw new ConfigError(name, "is shorter than 16 characters; use a long random secret");
  }
  return raw;
}

function parseLogLevel(raw: string | undefined): LogLevel {
  const level = (raw ?? "info").toLowerCase();
  const known = LOG_LEVELS.find((l) => l === level);
  if (!known) {
    throw new ConfigError("LOG_LEVEL", `"${raw}" is not one of ${LOG_LEVELS.join(", ")}`);
  }
  return known;
}

function parseAllowedDomains(raw: string | undefined): DomainPolicy {
  try {
    return compileDomainPolicy(parseDomainList(raw ?? "example.com"));
  } catch (error) {
    if (error instanceof DomainPolicyError) throw new ConfigError("ALLOWED_DOMAINS", error.message);
    throw error;
  }
}

/** Validates the whole environment at once; throws ConfigError naming the first bad setting. */
export function loadConfig(env: Env): Config {
  const production = setting(env, "NODE_ENV")?.toLowerCase() === "production";
  const secret = parseSecret("HOOK_AUTH_SECRET", setting(env, "HOOK_AUTH_SECRET"), production);
  if (secret === undefined && production) {
    throw new ConfigError("HOOK_AUTH_SECRET", "is required when NODE_ENV=production");
  }
  return {
    port: parsePort(setting(env, "PORT")),
    production,
    allowedDomains: parseAllowedDomains(setting(env, "ALLOWED_DOMAINS")),
    auth: {
      header: parseHeaderName(setting(env, "HOOK_AUTH_HEADER")),
      secrets: [secret ?? DEMO_SECRET],
      usingDemoSecret: secret === undefined,
    },
    logLevel: parseLogLevel(setting(env, "LOG_LEVEL")),
  };
}
