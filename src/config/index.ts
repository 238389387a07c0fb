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

/** Asymmetric signature algorithms only: `none` and HMAC can never verify a token. */
export const OAUTH_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
] as const;
export type OAuthAlgorithm = (typeof OAUTH_ALGORITHMS)[number];

export interface OAuthSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUri: URL;
  readonly clientId?: string;
  readonly scope?: string;
  readonly algorithms: readonly OAuthAlgorithm[];
  readonly clockToleranceSeconds: number;
}

export type AuthSettings =
  | {
      readonly mode: "header";
      readonly header: string;
      /** The current secret first, then the previous one while a rotation is under way. */
      readonly secrets: readonly string[];
      /** True when no secret was configured and the demo secret stands in. */
      readonly usingDemoSecret: boolean;
    }
  | {
      readonly mode: "oauth";
      readonly oauth: OAuthSettings;
      /** An optional shared secret that must come too, in `header` (defence in depth). */
      readonly header: string;
      readonly secrets: readonly string[];
      readonly usingDemoSecret: false;
    };

export type FailMode = "closed" | "open";

export interface Config {
  readonly port: number;
  readonly production: boolean;
  readonly allowedDomains: DomainPolicy;
  readonly auth: AuthSettings;
  readonly failMode: FailMode;
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

function parseHeaderName(raw: string | undefined, fallback: string): string {
  const name = raw ?? fallback;
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

function parseChoice<T extends string>(
  name: string,
  raw: string | undefined,
  choices: readonly T[],
): T {
  const value = (raw ?? choices[0])?.toLowerCase();
  const known = choices.find((c) => c === value);
  if (known === undefined) {
    throw new ConfigError(name, `"${raw}" is not one of ${choices.join(", ")}`);
  }
  return known;
}

function parseUrl(name: string, raw: string, production: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `"${raw}" is not an absolute URL`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && !production)) {
    throw new ConfigError(
      name,
      production ? "must use https in production" : "must be an http(s) URL",
    );
  }
  return url;
}

function parseAlgorithms(raw: string | undefined): OAuthAlgorithm[] {
  const names = (raw ?? "RS256").split(/[\s,]+/).filter(Boolean);
  const algorithms = names.map((name) => {
    const known = OAUTH_ALGORITHMS.find((a) => a === name);
    if (known === undefined) {
      throw new ConfigError(
        "OAUTH_ALGORITHMS",
        `"${name}" is not an asymmetric JWS algorithm (${OAUTH_ALGORITHMS.join(", ")})`,
      );
    }
    return known;
  });
  if (algorithms.length === 0) throw new ConfigError("OAUTH_ALGORITHMS", "is empty");
  return algorithms;
}

function parseClockTolerance(raw: string | undefined): number {
  if (raw === undefined) return 30;
  const seconds = Number(raw);
  if (!/^\d+$/.test(raw) || seconds > 300) {
    throw new ConfigError(
      "OAUTH_CLOCK_TOLERANCE",
      `"${raw}" is not a number of seconds from 0 to 300`,
    );
  }
  return seconds;
}

function required(env: Env, name: string, why: string): string {
  const value = setting(env, name);
  if (value === undefined) throw new ConfigError(name, `is required ${why}`);
  return value;
}

function parseOAuth(env: Env, production: boolean): OAuthSettings {
  const why = "when HOOK_AUTH_MODE=oauth";
  const issuer = required(env, "OAUTH_ISSUER", why);
  parseUrl("OAUTH_ISSUER", issuer, production);
  const clientId = setting(env, "OAUTH_CLIENT_ID");
  const scope = setting(env, "OAUTH_SCOPE");
  return {
    issuer,
    audience: required(env, "OAUTH_AUDIENCE", why),
    // Okta's authorization servers publish their keys at <issuer>/v1/keys.
    jwksUri: parseUrl(
      "OAUTH_JWKS_URI",
      setting(env, "OAUTH_JWKS_URI") ?? `${issuer.replace(/\/+$/, "")}/v1/keys`,
      production,
    ),
    ...(clientId === undefined ? {} : { clientId }),
    ...(scope === undefined ? {} : { scope }),
    algorithms: parseAlgorithms(setting(env, "OAUTH_ALGORITHMS")),
    clockToleranceSeconds: parseClockTolerance(setting(env, "OAUTH_CLOCK_TOLERANCE")),
  };
}

function parseSecrets(env: Env, production: boolean): string[] {
  const current = parseSecret("HOOK_AUTH_SECRET", setting(env, "HOOK_AUTH_SECRET"), production);
  const previous = parseSecret(
    "HOOK_AUTH_SECRET_PREVIOUS",
    setting(env, "HOOK_AUTH_SECRET_PREVIOUS"),
    production,
  );
  if (previous !== undefined && current === undefined) {
    throw new ConfigError("HOOK_AUTH_SECRET_PREVIOUS", "is set without HOOK_AUTH_SECRET");
  }
  return [current, previous].filter((s): s is string => s !== undefined);
}

function parseAuth(env: Env, production: boolean): AuthSettings {
  const mode = parseChoice("HOOK_AUTH_MODE", setting(env, "HOOK_AUTH_MODE"), ["header", "oauth"]);
  const secrets = parseSecrets(env, production);
  if (mode === "oauth") {
    const oauth = parseOAuth(env, production);
    const header = parseHeaderName(setting(env, "HOOK_AUTH_HEADER"), "x-okta-hook-secret");
    if (secrets.length > 0 && header === "authorization") {
      throw new ConfigError(
        "HOOK_AUTH_HEADER",
        "must name a header other than Authorization in oauth mode, where Authorization carries the token",
      );
    }
    return { mode, oauth, header, secrets, usingDemoSecret: false };
  }
  if (secrets.length === 0 && production) {
    throw new ConfigError("HOOK_AUTH_SECRET", "is required when NODE_ENV=production");
  }
  return {
    mode,
    header: parseHeaderName(setting(env, "HOOK_AUTH_HEADER"), "authorization"),
    secrets: secrets.length > 0 ? secrets : [DEMO_SECRET],
    usingDemoSecret: secrets.length === 0,
  };
}

/** Validates the whole environment at once; throws ConfigError naming the first bad setting. */
export function loadConfig(env: Env): Config {
  const production = setting(env, "NODE_ENV")?.toLowerCase() === "production";
  return {
    port: parsePort(setting(env, "PORT")),
    production,
    allowedDomains: parseAllowedDomains(setting(env, "ALLOWED_DOMAINS")),
    auth: parseAuth(env, production),
    failMode: parseChoice("FAIL_MODE", setting(env, "FAIL_MODE"), ["closed", "open"]),
    logLevel: parseLogLevel(setting(env, "LOG_LEVEL")),
  };
}

/** WORKERS: how many processes serve (node's cluster module); `auto` is one per core. Read at start only. */
export function parseWorkers(raw: string | undefined, cores: number): number {
  const value = raw?.trim().toLowerCase();
  if (value === undefined || value === "") return 1;
  if (value === "auto") return Math.max(1, cores);
  const workers = Number(value);
  if (!/^\d+$/.test(value) || workers < 1 || workers > 64) {
    throw new ConfigError("WORKERS", `"${raw}" is not a number of processes from 1 to 64, or auto`);
  }
  return workers;
}
