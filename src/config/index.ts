// Service configuration: read once from the environment and CONFIG_FILE, validated here and only
// here (by the table in settings.ts), with every setting named in its error.
import { compileDomainPolicy, DomainPolicyError } from "../policy/domains.js";
import {
  type CompiledPolicy,
  compilePolicy,
  loadPolicyFile,
  PolicyError,
  policyFromAllowedDomains,
} from "../policy/engine/index.js";
import {
  isSettingName,
  type LOG_LEVELS,
  SETTINGS,
  type Setting,
  type SettingName,
} from "./settings.js";

/** The Okta guide's example secret (`admin:supersecret`): fine for a first try, refused in production. */
export const DEMO_SECRET = "Basic YWRtaW46c3VwZXJzZWNyZXQ=";

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
  /** The registration policy: POLICY_FILE, CONFIG_FILE's `policy`, or ALLOWED_DOMAINS as one. */
  readonly policy: CompiledPolicy;
  /** The files the policy was read from (POLICY_FILE and its list files), for the reload watch. */
  readonly policyFiles: readonly string[];
  readonly auth: AuthSettings;
  readonly failMode: FailMode;
  readonly logLevel: LogLevel;
  /** Whether /docs, /openapi.json and /openapi.yaml are served. */
  readonly docs: boolean;
}

export class ConfigError extends Error {
  constructor(setting: string, problem: string) {
    super(`${setting}: ${problem}`);
    this.name = "ConfigError";
  }
}

type Env = Readonly<Record<string, string | undefined>>;
/** A CONFIG_FILE's values as written (strings, numbers, lists). */
export type FileSettings = Readonly<Record<string, unknown>>;

interface Raw {
  readonly value: unknown;
  /** How the error names it: `PORT`, or `CONFIG_FILE PORT` when the file set it. */
  readonly label: string;
}

/**
 * Reads each setting from the environment, or from the file when the environment leaves it
 * unset or blank, and checks it against its row of the settings table.
 */
class Reader {
  constructor(
    private readonly env: Env,
    private readonly file: FileSettings,
  ) {}

  raw(name: SettingName): Raw | undefined {
    const fromEnv = SETTINGS[name].kind === "document" ? undefined : this.env[name]?.trim();
    if (fromEnv !== undefined && fromEnv !== "") return { value: fromEnv, label: name };
    if (!Object.hasOwn(this.file, name)) return undefined;
    const value = this.file[name];
    const label = `CONFIG_FILE ${name}`;
    if (SETTINGS[name].kind === "document") return { value, label };
    if (value === null || value === undefined) throw new ConfigError(label, "has no value");
    return { value: typeof value === "string" ? value.trim() : value, label };
  }

  text(name: SettingName): { value: string; label: string } | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return undefined;
    const setting = SETTINGS[name];
    if (typeof raw.value !== "string") throw new ConfigError(raw.label, "must be a string");
    if ("minLength" in setting && raw.value.length < setting.minLength) {
      throw new ConfigError(
        raw.label,
        setting.minLength === 1
          ? "is empty"
          : `is shorter than ${setting.minLength} characters; use a long random secret`,
      );
    }
    return { value: raw.value, label: raw.label };
  }

  list(name: SettingName): { value: string[]; label: string } | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return undefined;
    const { value, label } = raw;
    if (typeof value === "string") {
      const entries = value.split(/[\s,]+/u).filter((entry) => entry !== "");
      if (entries.length === 0) throw new ConfigError(label, "is empty");
      return { value: entries, label };
    }
    if (!Array.isArray(value) || value.length === 0) {
      throw new ConfigError(label, "must be a list of strings, or one comma-separated string");
    }
    value.forEach((entry, index) => {
      if (typeof entry !== "string" || entry.trim() === "") {
        throw new ConfigError(`${label}[${index}]`, "must be a non-empty string");
      }
    });
    return { value: value.map((entry: string) => entry.trim()), label };
  }

  integer(name: SettingName, what: string): number | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return undefined;
    const setting = SETTINGS[name];
    const text = typeof raw.value === "number" ? String(raw.value) : raw.value;
    const value = Number(text);
    if (
      typeof text !== "string" ||
      !/^\d+$/.test(text) ||
      !("min" in setting) ||
      value < setting.min ||
      value > setting.max
    ) {
      throw new ConfigError(raw.label, `"${String(raw.value)}" is not ${what}`);
    }
    return value;
  }

  choice<N extends SettingName>(name: N): ChoiceOf<N> {
    const setting: Setting = SETTINGS[name];
    if (setting.kind !== "choice") throw new Error(`${name} is not a choice`);
    const { choices } = setting;
    const raw = this.raw(name);
    if (raw === undefined) return setting.default as ChoiceOf<N>;
    const value = typeof raw.value === "string" ? raw.value.toLowerCase() : undefined;
    const known = choices.find((c) => c === value);
    if (known === undefined) {
      throw new ConfigError(
        raw.label,
        `"${String(raw.value)}" is not one of ${choices.join(", ")}`,
      );
    }
    return known as ChoiceOf<N>;
  }
}

type ChoiceOf<N extends SettingName> = (typeof SETTINGS)[N] extends {
  readonly choices: readonly (infer C)[];
}
  ? C
  : never;

// RFC 9110 token characters: anything else cannot be a header name.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function parseHeaderName(settings: Reader, fallback: string): string {
  const raw = settings.text("HOOK_AUTH_HEADER");
  const name = raw?.value ?? fallback;
  if (!HEADER_NAME.test(name)) {
    throw new ConfigError(
      raw?.label ?? "HOOK_AUTH_HEADER",
      `"${name}" is not a valid HTTP header name`,
    );
  }
  return name.toLowerCase();
}

const DEMO_CREDENTIALS = ["ywrtaw46c3vwzxjzzwnyzxq", "admin:supersecret"];

/** Catches the demo secret in any spelling: another case, other spacing, without its scheme. */
function isDemoSecret(value: string): boolean {
  const folded = value.replace(/\s+/g, "").toLowerCase();
  return DEMO_CREDENTIALS.some((credential) => folded.includes(credential));
}

/** Node reads header bytes as latin1, so a secret with any other character could never match. */
const VISIBLE_ASCII = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

function parseSecret(
  settings: Reader,
  name: "HOOK_AUTH_SECRET" | "HOOK_AUTH_SECRET_PREVIOUS",
  production: boolean,
): string | undefined {
  const raw = settings.text(name);
  if (raw === undefined) return undefined;
  if (production && isDemoSecret(raw.value)) {
    throw new ConfigError(
      raw.label,
      "is the demo secret from Okta's guide; set a secret of your own in production",
    );
  }
  if (!VISIBLE_ASCII.test(raw.value)) {
    throw new ConfigError(
      raw.label,
      "must be visible ASCII (and spaces): an HTTP header carries no other character, so it could never match",
    );
  }
  return raw.value;
}

function policySettings(
  settings: Reader,
  file: FileSettings,
  fileDir: string,
): Pick<Config, "policy" | "policyFiles"> {
  const policy = parsePolicy(settings, file, fileDir);
  const policyFile = settings.text("POLICY_FILE")?.value;
  const lists = [...policy.lists.values()].filter((l) => !l.builtIn).map((l) => l.source);
  return { policy, policyFiles: [...(policyFile === undefined ? [] : [policyFile]), ...lists] };
}

/** ALLOWED_DOMAINS (default example.com) as a policy, or the policy file, or the file's own; never two. */
function parsePolicy(settings: Reader, file: FileSettings, fileDir: string): CompiledPolicy {
  const allowed = settings.list("ALLOWED_DOMAINS");
  const policyFile = settings.text("POLICY_FILE");
  const inline = Object.hasOwn(file, "policy") ? file.policy : undefined;
  const given = [
    allowed?.label,
    policyFile?.label,
    inline === undefined ? undefined : "CONFIG_FILE policy",
  ].filter((label): label is string => label !== undefined);
  if (given.length > 1) {
    throw new ConfigError(
      given.join(" and "),
      "are both set; a policy holds its own allowed domains: keep one (ALLOWED_DOMAINS is a policy of one allow rule)",
    );
  }
  try {
    if (policyFile !== undefined) return loadPolicyFile(policyFile.value);
    if (inline !== undefined) {
      return compilePolicy(inline, { baseDir: fileDir, name: "CONFIG_FILE policy" });
    }
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    throw new ConfigError(policyFile?.label ?? "CONFIG_FILE policy", error.message);
  }
  const domains = allowed?.value ?? ["example.com"];
  try {
    compileDomainPolicy(domains);
  } catch (error) {
    if (error instanceof DomainPolicyError) {
      throw new ConfigError(allowed?.label ?? "ALLOWED_DOMAINS", error.message);
    }
    throw error;
  }
  return policyFromAllowedDomains(domains);
}

function parseUrl(label: string, raw: string, production: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(label, `"${raw}" is not an absolute URL`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && !production)) {
    throw new ConfigError(
      label,
      production ? "must use https in production" : "must be an http(s) URL",
    );
  }
  return url;
}

function parseAlgorithms(settings: Reader): OAuthAlgorithm[] {
  const raw = settings.list("OAUTH_ALGORITHMS");
  return (raw?.value ?? ["RS256"]).map((name) => {
    const known = OAUTH_ALGORITHMS.find((a) => a === name);
    if (known === undefined) {
      throw new ConfigError(
        raw?.label ?? "OAUTH_ALGORITHMS",
        `"${name}" is not an asymmetric JWS algorithm (${OAUTH_ALGORITHMS.join(", ")})`,
      );
    }
    return known;
  });
}

function required(
  settings: Reader,
  name: SettingName,
  why: string,
): { value: string; label: string } {
  const raw = settings.text(name);
  if (raw === undefined) throw new ConfigError(name, `is required ${why}`);
  return raw;
}

function parseOAuth(settings: Reader, production: boolean): OAuthSettings {
  const why = "when HOOK_AUTH_MODE=oauth";
  const issuer = required(settings, "OAUTH_ISSUER", why);
  parseUrl(issuer.label, issuer.value, production);
  const clientId = settings.text("OAUTH_CLIENT_ID")?.value;
  const scope = settings.text("OAUTH_SCOPE")?.value;
  const jwksUri = settings.text("OAUTH_JWKS_URI");
  return {
    issuer: issuer.value,
    audience: required(settings, "OAUTH_AUDIENCE", why).value,
    // Okta's authorization servers publish their keys at <issuer>/v1/keys.
    jwksUri: parseUrl(
      jwksUri?.label ?? "OAUTH_JWKS_URI",
      jwksUri?.value ?? `${issuer.value.replace(/\/+$/, "")}/v1/keys`,
      production,
    ),
    ...(clientId === undefined ? {} : { clientId }),
    ...(scope === undefined ? {} : { scope }),
    algorithms: parseAlgorithms(settings),
    clockToleranceSeconds:
      settings.integer("OAUTH_CLOCK_TOLERANCE", "a number of seconds from 0 to 300") ?? 30,
  };
}

function parseSecrets(settings: Reader, production: boolean): string[] {
  const current = parseSecret(settings, "HOOK_AUTH_SECRET", production);
  const previous = parseSecret(settings, "HOOK_AUTH_SECRET_PREVIOUS", production);
  if (previous !== undefined && current === undefined) {
    throw new ConfigError("HOOK_AUTH_SECRET_PREVIOUS", "is set without HOOK_AUTH_SECRET");
  }
  return [current, previous].filter((s): s is string => s !== undefined);
}

function parseAuth(settings: Reader, production: boolean): AuthSettings {
  const mode = settings.choice("HOOK_AUTH_MODE");
  const secrets = parseSecrets(settings, production);
  if (mode === "oauth") {
    const oauth = parseOAuth(settings, production);
    const header = parseHeaderName(settings, "x-okta-hook-secret");
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
    header: parseHeaderName(settings, "authorization"),
    secrets: secrets.length > 0 ? secrets : [DEMO_SECRET],
    usingDemoSecret: secrets.length === 0,
  };
}

/**
 * Validates the whole configuration at once: the environment, laid over CONFIG_FILE's values
 * (a non-empty variable wins). Throws ConfigError naming the first bad setting.
 */
export function loadConfig(env: Env, file: FileSettings = {}, fileDir = "."): Config {
  for (const name of Object.keys(file)) {
    if (!isSettingName(name))
      throw new ConfigError("CONFIG_FILE", `"${name}" is not a known setting`);
  }
  const settings = new Reader(env, file);
  const production = env.NODE_ENV?.trim().toLowerCase() === "production";
  return {
    port: settings.integer("PORT", "a port number (0-65535)") ?? 3000,
    production,
    ...policySettings(settings, file, fileDir),
    auth: parseAuth(settings, production),
    failMode: settings.choice("FAIL_MODE"),
    logLevel: settings.choice("LOG_LEVEL"),
    docs: settings.choice("DOCS") === "on",
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
