// The policy engine: compile a policy document once, evaluate each request against it (pure),
// and turn the verdict into Okta's answer.
export { answerFor, debugContextFor, type PolicyDebugContext, serialiseAnswer } from "./answer.js";
export {
  ALLOWED_DOMAINS_RULE_ID,
  type CompiledPolicy,
  type CompiledRule,
  type CompileOptions,
  compilePolicy,
  type LocaleMessages,
  loadPolicyFile,
  parsePolicyText,
  policyDocumentFromAllowedDomains,
  policyFromAllowedDomains,
} from "./compile.js";
export {
  describePolicy,
  formatPolicyDescription,
  type ListDescription,
  type PolicyDescription,
  type RuleDescription,
} from "./describe.js";
export { PolicyError } from "./errors.js";
export {
  ADDRESS_RULE,
  type AddressDecision,
  DEFAULT_RULE,
  evaluatePolicy,
  negotiateLocale,
  type Refusal,
  type ReportOnlyFinding,
  requestLocale,
  type Verdict,
} from "./evaluate.js";
export { BUILT_IN_LISTS, type CompiledList } from "./lists.js";
export { normaliseLocale } from "./locale.js";
export { BUILT_IN_MESSAGES, BUILT_IN_REASONS, type Reason, SUMMARY_KEY } from "./reasons.js";
export { type PolicyDocument, type ProfileValue, policySchema } from "./schema.js";
