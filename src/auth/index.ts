// Who may call the hook: a shared-secret header, or an OAuth 2.0 bearer token (optionally with a secret header too).
import type { Logger } from "pino";
import type { AuthSettings } from "../config.js";
import {
  type BearerFailure,
  createBearerVerifier,
  JwksKeySource,
  type KeySourceOptions,
} from "./oauth.js";
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
  stop(): void;
}

const OK: AuthOutcome = { ok: true };

export function createAuthenticator(
  settings: AuthSettings,
  logger: Logger,
  keyOptions?: KeySourceOptions,
): Authenticator {
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
      stop: () => {},
    };
  }
  const keys = new JwksKeySource(settings.oauth.jwksUri, logger, keyOptions);
  const verifyBearer = createBearerVerifier(settings.oauth, keys);
  return {
    mode: "oauth",
    accepts: (scheme) => scheme === "oktaBearerToken",
    authenticate: async (headers) => {
      // Both are checked whatever the first says, so timing does not tell which one failed.
      const [bearer, secret] = [
        await verifyBearer(headers.authorization),
        secretOk(headers[secretHeader]),
      ];
      if (!bearer.ok) return bearer;
      return secret ? OK : { ok: false, reason: "wrong-secret" };
    },
    get keysState() {
      return keys.hasKeys ? "ok" : "failing";
    },
    start: () => keys.start(),
    stop: () => keys.stop(),
  };
}
