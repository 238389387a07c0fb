// Reads a loaded configuration's policy back, for tests of how ALLOWED_DOMAINS is read.
import type { Config } from "../../src/config/index.js";
import { describePolicy } from "../../src/policy/domains.js";
import { ALLOWED_DOMAINS_RULE_ID } from "../../src/policy/engine/index.js";

/** The domains of the policy ALLOWED_DOMAINS made, as written back (`*.example.com` for subdomains). */
export function allowedDomainsOf(config: Config): string[] {
  const rule = config.policy.rulesById.get(ALLOWED_DOMAINS_RULE_ID);
  return rule?.domains === undefined ? [] : describePolicy(rule.domains);
}
