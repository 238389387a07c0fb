// CONFIG_FILE: the same settings as the environment, in YAML or JSON. Only read here; loadConfig
// validates its values with the same rules as the environment's.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { ConfigError, type FileSettings } from "./index.js";

/** Parses a configuration file's text into its values as written; an empty file sets nothing. */
export function parseConfigFile(text: string): FileSettings {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch {
    throw new ConfigError("CONFIG_FILE", "is neither valid YAML nor JSON");
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError("CONFIG_FILE", "must be a map of settings");
  }
  return data as FileSettings;
}

/** The settings of the file CONFIG_FILE names, or none when it is unset. */
export function readConfigFile(env: Readonly<Record<string, string | undefined>>): FileSettings {
  const file = env.CONFIG_FILE?.trim();
  if (!file) return {};
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ConfigError("CONFIG_FILE", `cannot read "${file}"`);
  }
  return parseConfigFile(text);
}
