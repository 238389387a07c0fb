// Who may call the hook: a shared-secret header, or an OAuth 2.0 bearer token (optionally with a secret header too).
import type { Logger } from "pino";
import type { AuthSettings } from "../config/index.js";
import type { BearerFailure, KeySourceOptions } from "./oauth.js";
import { createSecretVerifier } from "./sharedSecret.js";

export type AuthFailure = BearerFailure | "wrong-secret" | "keys-unavailable";

export type AuthOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: AuthFailure };

type Headers = Readonly<Record<string, string | string[] | undefined>>;

export interface Authenticator {
  readonly mode: AuthSettings["mode"];
  /** Whether the scheme named in the spec is the one this configuration accepts. */
  accepts(scheme: "oktaSharedSecret" | "oktaBearerToken"): boolean;
  authenticate(headers: Headers): Promise<AuthOutcome>;
  /** Ready to authenticate: in OAuth mode, once the signing keys are in hand. */
  readonly keysState: "ok" | "failing" | "not-needed";
  start(): Promise<void>;
  /** Asks for the signing keys again (rate-limited); a no-op where none are needed. */
  refreshKeys(): Promise<void>;
  stop(): void;
}

const OK: AuthOutcome = { ok: true };

/** In OAuth mode, jose and the JWKS cache are loaded here: a shared-secret service never loads them. */
export async function createAuthenticator(
  settings: AuthSettings,
  logger: Logger,
  keyOptions?: KeySourceOptions,
): Promise<Authenticator> {
  const secretOk =
    settings.secrets.length > 0 ? createSecretVerifier(settings.secrets) : () => true;
  const secretHeader = settings.header;
  if (settings.mode === "header") {
    return {
      mode: "header",
      accepts: (scheme) => scheme === "oktaSharedSecret",
      authenticate: async (headers) =>
        secretOk(headers[secretHeader]) ? OK : { ok: false, reason: "wrong-secret" },
      keysState: "not-needed",
      start: async () => {},
      refreshKeys: async () => {},
      stop: () => {},
    };
  }
  const { JwksKeySource, createBearerVerifier } = await import("./oauth.js");
  const keys = new JwksKeySource(settings.oauth.jwksUri, logger, keyOptions);
  const verifyBearer = createBearerVerifier(settings.oauth, keys);
  return {
    mode: "oauth",
    accepts: (scheme) => scheme === "oktaBearerToken",
    authenticate: async (headers) => {
      // The local check first: a caller without the shared secret is refused (401) even while
      // no signing key is held, and never costs a signature check or a JWKS fetch.
      if (!secretOk(headers[secretHeader])) return { ok: false, reason: "wrong-secret" };
      const bearer = await verifyBearer(headers.authorization);
      return bearer.ok ? OK : bearer;
    },
    get keysState() {
      return keys.hasKeys ? "ok" : "failing";
    },
    start: () => keys.start(),
    refreshKeys: async () => {
      await keys.refresh();
    },
    stop: () => keys.stop(),
  };
}
