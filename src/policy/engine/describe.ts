// What a compiled policy holds, for the start-up log line and the CLI. Counts, never addresses.
import type { CompiledPolicy } from "./compile.js";

export interface RuleDescription {
  readonly id: string;
  readonly action: "allow" | "deny";
  readonly enforce: boolean;
  readonly reason?: string;
  readonly domains?: number;
  readonly addresses?: number;
  readonly lists?: readonly string[];
  /** Names of the profile attributes the rule sets. */
  readonly profile?: readonly string[];
}

export interface ListDescription {
  readonly name: string;
  readonly source: string;
  readonly size: number;
  /** Entries of a built-in list that are not valid domains and were left out. */
  readonly skipped: number;
}

export interface PolicyDescription {
  readonly name?: string;
  readonly version: string;
  readonly mode: "enforce" | "report";
  readonly default: "allow" | "deny";
  readonly defaultLocale: string;
  readonly locales: readonly string[];
  readonly rules: readonly RuleDescription[];
  readonly lists: readonly ListDescription[];
}

export function describePolicy(policy: CompiledPolicy): PolicyDescription {
  return {
    ...(policy.name === undefined ? {} : { name: policy.name }),
    version: policy.version,
    mode: policy.mode,
    default: policy.default,
    defaultLocale: policy.defaultLocale,
    locales: [...policy.messages.keys()],
    rules: policy.rules.map((rule) => ({
      id: rule.id,
      action: rule.action,
      enforce: rule.enforced,
      ...(rule.reason === undefined ? {} : { reason: rule.reason }),
      ...(rule.domains === undefined ? {} : { domains: rule.domains.rules.length }),
      ...(rule.addresses === undefined ? {} : { addresses: rule.addresses.size }),
      ...(rule.lists.length === 0 ? {} : { lists: rule.lists.map((list) => list.name) }),
      ...(rule.profile === undefined ? {} : { profile: Object.keys(rule.profile) }),
    })),
    lists: [...policy.lists.values()].map((list) => ({
      name: list.name,
      source: list.source,
      size: list.size,
      skipped: list.skipped,
    })),
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The description as lines of text, for the CLI. */
export function formatPolicyDescription(d: PolicyDescription): string[] {
  const lines = [
    `policy ${d.name ?? "(unnamed)"} version ${d.version}: mode ${d.mode}, default ${d.default}, locales ${d.locales.join(", ")} (default ${d.defaultLocale})`,
    `rules (${d.rules.length}, first match wins):`,
  ];
  d.rules.forEach((rule, i) => {
    const matches = [
      rule.domains === undefined ? undefined : plural(rule.domains, "domain"),
      rule.addresses === undefined ? undefined : plural(rule.addresses, "address"),
      rule.lists === undefined ? undefined : `lists ${rule.lists.join(", ")}`,
    ].filter((m) => m !== undefined);
    const extras = [
      rule.reason === undefined ? undefined : `reason ${rule.reason}`,
      rule.profile === undefined ? undefined : `sets ${rule.profile.join(", ")}`,
      rule.enforce ? undefined : "report only",
    ].filter((m) => m !== undefined);
    lines.push(
      `  ${i + 1}. ${rule.id}: ${rule.action} on ${matches.join(" or ")}${extras.length > 0 ? ` (${extras.join("; ")})` : ""}`,
    );
  });
  if (d.lists.length > 0) {
    lines.push("lists:");
    for (const list of d.lists) {
      const skipped = list.skipped > 0 ? `, ${list.skipped} invalid entries left out` : "";
      lines.push(`  ${list.name}: ${plural(list.size, "domain")} from ${list.source}${skipped}`);
    }
  }
  return lines;
}
