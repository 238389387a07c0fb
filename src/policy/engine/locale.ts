// Locale tags: Okta sends `en_US` as well as `en-US`, and the value is whatever the person's
// profile holds, so it is untrusted: anything that is not a short language tag is ignored.

const MAX_LOCALE_LENGTH = 64;
const LOCALE_SHAPE = /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8}){0,8}$/u;

/** The tag lower-cased with `-` separators, or undefined when it is no language tag. */
export function normaliseLocale(raw: unknown): string | undefined {
  if (typeof raw !== "string" || raw.length < 2 || raw.length > MAX_LOCALE_LENGTH) return undefined;
  const tag = raw.includes("_") ? raw.replaceAll("_", "-") : raw;
  return LOCALE_SHAPE.test(tag) ? tag.toLowerCase() : undefined;
}

/** `de-ch-x` → `de-ch`; undefined for a bare language. */
export function parentLocale(tag: string): string | undefined {
  const cut = tag.lastIndexOf("-");
  return cut === -1 ? undefined : tag.slice(0, cut);
}

/** The tag, then each shorter prefix: `de-ch` → [`de-ch`, `de`]. */
export function localeChain(tag: string): string[] {
  const chain: string[] = [];
  for (let t: string | undefined = tag; t !== undefined; t = parentLocale(t)) chain.push(t);
  return chain;
}
