// CONFIG_FILE: the same settings as the environment, in YAML or JSON, checked against config/config.schema.json.
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "./config.js";

const SCHEMA = JSON.parse(
  readFileSync(new URL("../config/config.schema.json", import.meta.url), "utf8"),
) as object;
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(SCHEMA);

type Settings = Record<string, string | undefined>;

const CHOICES = ["HOOK_AUTH_MODE", "FAIL_MODE", "LOG_LEVEL"];

/** Parses and validates a configuration file's text; values become strings as the environment has them. */
export function parseConfigFile(text: string): Settings {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch {
    throw new ConfigError("CONFIG_FILE", "is neither valid YAML nor JSON");
  }
  // An empty file (or one of comments only) sets nothing.
  if (data === null || data === undefined) data = {};
  // Choices are case-insensitive in the environment; the file reads them the same way.
  if (typeof data === "object" && !Array.isArray(data)) {
    const record = data as Record<string, unknown>;
    for (const name of CHOICES) {
      const value = record[name];
      if (typeof value === "string") record[name] = value.trim().toLowerCase();
    }
  }
  if (!validate(data)) {
    const errors = validate.errors ?? [];
    // An unknown key says most; otherwise the deepest error, since oneOf reports every branch.
    const first =
      errors.find((e) => e.keyword === "additionalProperties") ??
      errors.reduce<(typeof errors)[number] | undefined>(
        (deepest, e) =>
          deepest && deepest.instancePath.length >= e.instancePath.length ? deepest : e,
        undefined,
      );
    const where = first?.instancePath ? first.instancePath.slice(1).split("/")[0] : undefined;
    const extra = (first?.params as { additionalProperty?: string } | undefined)
      ?.additionalProperty;
    throw new ConfigError(
      where ? `CONFIG_FILE ${where}` : "CONFIG_FILE",
      extra ? `"${extra}" is not a known setting` : `${first?.message ?? "is invalid"}`,
    );
  }
  const settings: Settings = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    settings[key] = Array.isArray(value) ? value.join(",") : String(value);
  }
  return settings;
}

/** Reads CONFIG_FILE when set, and lays the environment over it: a non-empty variable wins. */
export function readSettings(env: Settings): Settings {
  const file = env.CONFIG_FILE?.trim();
  if (!file) return env;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ConfigError("CONFIG_FILE", `cannot read "${file}"`);
  }
  const fromFile = parseConfigFile(text);
  const fromEnv = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ""),
  );
  return { ...fromFile, ...fromEnv };
}
