// `npm run policy -- check [FILE]`, `explain ADDRESS... [--file F] [--locale L] [--progressive]`
// and `schema`: the policy engine from the command line, with the very code the service runs.
import { parseArgs } from "node:util";
import { parseDomainList } from "../policy/domains.js";
import { quote } from "../policy/engine/errors.js";
import {
  ADDRESS_RULE,
  answerFor,
  type CompiledPolicy,
  DEFAULT_RULE,
  describePolicy,
  evaluatePolicy,
  formatPolicyDescription,
  loadPolicyFile,
  negotiateLocale,
  PolicyError,
  policyFromAllowedDomains,
  policySchema,
  type Verdict,
} from "../policy/engine/index.js";
import type { RegistrationHookRequest } from "../spec.js";

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}
export type Env = Readonly<Record<string, string | undefined>>;

const USAGE = `usage: policy check [FILE]            validate a policy (FILE defaults to $POLICY_FILE)
       policy explain ADDRESS... [--file FILE] [--locale TAG] [--progressive] [--json]
                                        what the policy answers for each address
       policy schema                   print the policy's JSON Schema
Without --file and $POLICY_FILE, explain uses $ALLOWED_DOMAINS (default example.com).
`;

function usage(out: Output, problem?: string): number {
  if (problem !== undefined) out.stderr(`policy: ${problem}\n`);
  out.stderr(USAGE);
  return 2;
}

function load(out: Output, file: string): CompiledPolicy | undefined {
  try {
    return loadPolicyFile(file);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    out.stderr(`invalid policy: ${error.message}\n`);
    return undefined;
  }
}

function check(files: readonly string[], env: Env, out: Output): number {
  if (files.length > 1) return usage(out, "check takes one file");
  const file = files[0] ?? env.POLICY_FILE;
  if (file === undefined || file === "")
    return usage(out, "no policy file: name one or set POLICY_FILE");
  const policy = load(out, file);
  if (policy === undefined) return 1;
  out.stdout(`${formatPolicyDescription(describePolicy(policy)).join("\n")}\n`);
  return 0;
}

function requestFor(
  address: string,
  locale: string | undefined,
  progressive: boolean,
): RegistrationHookRequest {
  const withLocale = locale === undefined ? {} : { locale };
  if (progressive) {
    return {
      eventType: "com.okta.user.pre-registration",
      requestType: "progressive.profile",
      data: { context: { user: { profile: withLocale } }, userProfileUpdate: { email: address } },
    };
  }
  return {
    eventType: "com.okta.user.pre-registration",
    requestType: "self.service.registration",
    data: { userProfile: { email: address, ...withLocale } },
  };
}

function ruleText(rule: string): string {
  if (rule === DEFAULT_RULE) return "the default (no rule matched)";
  if (rule === ADDRESS_RULE) return "the address check";
  return `rule ${quote(rule)}`;
}

function explainOne(
  address: string,
  verdict: Verdict,
  policy: CompiledPolicy,
  locale: string,
): string[] {
  const lines: string[] = [];
  const answer = answerFor(verdict, policy, locale);
  const decided = verdict.addresses[0];
  const decision = verdict.outcome.toUpperCase();
  if (decided === undefined) {
    lines.push(`${quote(address)}: ${decision} (no address to check)`);
  } else {
    const via =
      decided.via === undefined
        ? ""
        : ` via ${decided.list === undefined ? decided.via : `list ${decided.list}`}`;
    const reason = decided.reason === undefined ? "" : `, reason ${decided.reason}`;
    if (policy.mode === "report" && decided.outcome === "deny") {
      lines.push(
        `${quote(address)}: ALLOW (mode report; the policy would DENY by ${ruleText(decided.rule)}${via}${reason})`,
      );
    } else {
      lines.push(`${quote(address)}: ${decision} by ${ruleText(decided.rule)}${via}${reason}`);
    }
  }
  for (const cause of answer.error?.errorCauses ?? []) {
    lines.push(`  message [${locale}]: ${quote(cause.errorSummary ?? "", 1000)}`);
  }
  for (const finding of verdict.reportOnly) {
    if (policy.mode === "report" && finding.rule === decided?.rule) continue;
    const reason = finding.reason === undefined ? "" : ` (${finding.reason})`;
    lines.push(`  report only: ${ruleText(finding.rule)} would ${finding.action}${reason}`);
  }
  for (const command of answer.commands ?? []) {
    if (command.type !== "com.okta.user.profile.update") continue;
    const attributes = Object.entries(command.value).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    lines.push(`  profile update: ${attributes.join(", ")}`);
  }
  return lines;
}

function explain(
  addresses: readonly string[],
  options: {
    file?: string | undefined;
    locale?: string | undefined;
    progressive: boolean;
    json: boolean;
  },
  env: Env,
  out: Output,
): number {
  if (addresses.length === 0) return usage(out, "explain needs at least one address");
  const file = options.file ?? (env.POLICY_FILE === "" ? undefined : env.POLICY_FILE);
  let policy: CompiledPolicy | undefined;
  if (file !== undefined) {
    policy = load(out, file);
  } else {
    try {
      policy = policyFromAllowedDomains(parseDomainList(env.ALLOWED_DOMAINS ?? "example.com"));
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      out.stderr(`invalid ALLOWED_DOMAINS: ${error.message}\n`);
    }
  }
  if (policy === undefined) return 1;
  const locale = negotiateLocale(options.locale, policy);
  if (!options.json) {
    out.stdout(
      `policy ${policy.name ?? "(unnamed)"} version ${policy.version}, ${options.progressive ? "progressive profile" : "self-service registration"}, locale ${locale}\n`,
    );
  }
  for (const address of addresses) {
    const verdict = evaluatePolicy(
      requestFor(address, options.locale, options.progressive),
      policy,
    );
    if (options.json) {
      out.stdout(`${JSON.stringify({ address, answer: answerFor(verdict, policy, locale) })}\n`);
    } else {
      out.stdout(`${explainOne(address, verdict, policy, locale).join("\n")}\n`);
    }
  }
  return 0;
}

export async function run(argv: readonly string[], env: Env, out: Output): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return usage(out, error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help === true) {
    out.stdout(USAGE);
    return 0;
  }
  switch (command) {
    case "check":
      return check(rest, env, out);
    case "explain":
      return explain(
        rest,
        {
          file: values.file,
          locale: values.locale,
          progressive: values.progressive === true,
          json: values.json === true,
        },
        env,
        out,
      );
    case "schema":
      out.stdout(`${JSON.stringify(policySchema, null, 2)}\n`);
      return 0;
    case undefined:
      return usage(out);
    default:
      return usage(out, `unknown command ${quote(command)}`);
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      file: { type: "string", short: "f" },
      locale: { type: "string", short: "l" },
      progressive: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}
