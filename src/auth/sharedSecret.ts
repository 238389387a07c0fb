// Shared-secret header check: every configured secret compared in constant time.
import { createHash, timingSafeEqual } from "node:crypto";

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/**
 * Hashing first gives equal-length inputs to timingSafeEqual, so neither the secret's length
 * nor the position of the first differing byte shows in the timing; every secret is compared
 * even after a match, so which one matched does not show either.
 */
export function createSecretVerifier(secrets: readonly string[]): (presented: unknown) => boolean {
  if (secrets.length === 0) throw new Error("at least one secret is required");
  const expected = secrets.map(digest);
  return (presented) => {
    if (typeof presented !== "string") return false;
    const actual = digest(presented);
    let matched = false;
    for (const candidate of expected) {
      matched = timingSafeEqual(actual, candidate) || matched;
    }
    return matched;
  };
}
