// PolicyError and the wording of where in a policy document something is wrong.
import { quoteEntry } from "../domains.js";

/** A policy that cannot be used; the message names the rule (by index and id) and the field. */
export class PolicyError extends Error {
  override readonly name = "PolicyError";
  /** Where in the document, as in the message (`rules[2] (id "resellers").match.lists[0]`). */
  readonly location: string;
  /** What is wrong there. */
  readonly problem: string;

  constructor(location: string, problem: string) {
    super(`${location}: ${problem}`);
    this.location = location;
    this.problem = problem;
  }
}

/** Quotes a value from a document for a message: bounded, with invisible characters escaped. */
export function quote(value: unknown, limit = 100): string {
  return quoteEntry(
    typeof value === "string" ? value : (JSON.stringify(value) ?? String(value)),
    limit,
  );
}

export type PathSegment = string | number;

const PLAIN_SEGMENT = /^[A-Za-z0-9_$-]+$/u;

function ruleId(document: unknown, index: number): unknown {
  if (typeof document !== "object" || document === null) return undefined;
  const rules = (document as { rules?: unknown }).rules;
  if (!Array.isArray(rules)) return undefined;
  const rule: unknown = rules[index];
  if (typeof rule !== "object" || rule === null) return undefined;
  return (rule as { id?: unknown }).id;
}

/** `rules[2] (id "resellers").match.lists[0]`; the document is read only for rule ids. */
export function formatPath(segments: readonly PathSegment[], document?: unknown): string {
  if (segments.length === 0) return "policy";
  let out = "";
  segments.forEach((segment, i) => {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (segment.length > 64 || !PLAIN_SEGMENT.test(segment)) out += `[${quote(segment, 64)}]`;
    else out += i === 0 ? segment : `.${segment}`;
    if (i === 1 && segments[0] === "rules" && typeof segment === "number") {
      const id = ruleId(document, segment);
      if (typeof id === "string") out += ` (id ${quote(id, 64)})`;
    }
  });
  return out;
}

export function policyError(
  segments: readonly PathSegment[],
  problem: string,
  document?: unknown,
): PolicyError {
  return new PolicyError(formatPath(segments, document), problem);
}
