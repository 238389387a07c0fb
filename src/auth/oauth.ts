// OAuth 2.0 bearer tokens: verify Okta's access token (signature from the JWKS, issuer, audience, client, scope, time).
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify, type RemoteJWKSet } from "jose";
import type { Logger } from "pino";
import type { OAuthSettings } from "../config/index.js";

export type BearerFailure =
  | "missing"
  | "malformed"
  | "bad-signature"
  | "algorithm"
  | "unknown-key"
  | "expired"
  | "not-yet-valid"
  | "issuer"
  | "audience"
  | "client"
  | "scope"
  | "invalid";

export type BearerOutcome =
  | { readonly ok: true; readonly clientId?: string }
  | { readonly ok: false; readonly reason: BearerFailure }
  /** No key could be obtained to check the token: an outage, not the caller's fault. */
  | { readonly ok: false; readonly reason: "keys-unavailable" };

export interface KeySourceOptions {
  /** Fewest milliseconds between two fetches of the JWKS, whatever triggers them. */
  readonly minRefetchIntervalMs?: number;
  /** How often the keys are refreshed in the background, so removed keys stop working. */
  readonly refreshIntervalMs?: number;
  /** How long one fetch may take: Okta gives the whole call 3 seconds. */
  readonly fetchTimeoutMs?: number;
  /** While no key is held, retry after this long, doubling up to maxRetryDelayMs. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
}

class KeysUnavailable extends Error {}

/**
 * The authorization server's keys, cached. jose fetches and selects keys; this decides when
 * to fetch: at start, in the background, and when a token names an unknown key, never more
 * often than minRefetchIntervalMs, and a failed fetch keeps the keys already known.
 */
export class JwksKeySource {
  private readonly remote: RemoteJWKSet;
  private readonly minInterval: number;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  private stopped = false;

  constructor(
    private readonly uri: URL,
    private readonly logger: Logger,
    private readonly options: KeySourceOptions = {},
  ) {
    this.minInterval = options.minRefetchIntervalMs ?? 10_000;
    this.retryDelay = options.retryDelayMs ?? 500;
    // jose never refetches on its own: no expiry, and unknown keys are handled here.
    this.remote = createRemoteJWKSet(uri, {
      cacheMaxAge: Number.POSITIVE_INFINITY,
      cooldownDuration: Number.POSITIVE_INFINITY,
      timeoutDuration: options.fetchTimeoutMs ?? 1_500,
    });
  }

  /** An empty key set verifies nothing, so it counts as no keys. */
  get hasKeys(): boolean {
    return (this.remote.jwks()?.keys.length ?? 0) > 0;
  }

  /** Fetches now and then every refreshIntervalMs; resolves once the first attempt is over. */
  async start(): Promise<void> {
    this.timer = setInterval(
      () => void this.refresh(true),
      this.options.refreshIntervalMs ?? 300_000,
    );
    this.timer.unref();
    await this.refresh(true);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.retryTimer);
  }

  /**
   * A pod that starts during a JWKS outage gets no traffic, so no call would ask for the keys
   * again: while none is held, retry with a doubling delay, so it is ready soon after the
   * outage ends.
   */
  private scheduleRetry(): void {
    if (this.stopped || this.hasKeys || this.retryTimer !== undefined) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(delay * 2, this.options.maxRetryDelayMs ?? 5_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.refresh(true);
    }, delay);
    this.retryTimer.unref();
  }

  /** One fetch at a time; `force` skips the rate limit (start and background refresh). */
  async refresh(force = false): Promise<boolean> {
    if (this.inFlight) {
      await this.inFlight;
      return true;
    }
    if (!force && Date.now() - this.lastAttempt < this.minInterval) return false;
    this.lastAttempt = Date.now();
    this.inFlight = this.remote.reload().then(
      () => {
        this.retryDelay = this.options.retryDelayMs ?? 500;
        this.logger.debug({ jwksUri: this.uri.origin + this.uri.pathname }, "JWKS refreshed");
      },
      (error: unknown) => {
        this.logger.warn(
          { jwksUri: this.uri.origin + this.uri.pathname, error: describeFetchError(error) },
          this.hasKeys
            ? "JWKS refresh failed; keeping the keys already known"
            : "JWKS fetch failed; no keys yet",
        );
      },
    );
    try {
      await this.inFlight;
    } finally {
      this.inFlight = undefined;
    }
    this.scheduleRetry();
    return true;
  }

  /** The key resolver handed to jwtVerify. */
  readonly resolve = async (...args: Parameters<RemoteJWKSet>): ReturnType<RemoteJWKSet> => {
    if (!this.hasKeys) {
      await this.refresh();
      if (!this.hasKeys) throw new KeysUnavailable();
    }
    try {
      return await this.remote(...args);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // A key published since the last fetch (rotation); a flood of made-up kids costs at most one fetch per interval.
      if (!(await this.refresh())) throw error;
      return this.remote(...args);
    }
  };
}

function describeFetchError(error: unknown): string {
  if (error instanceof errors.JWKSTimeout) return "timeout";
  if (error instanceof errors.JOSEError) return error.code;
  return error instanceof Error ? error.name : "unknown";
}

const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

function scopesOf(payload: JWTPayload): string[] {
  const { scp, scope } = payload as { scp?: unknown; scope?: unknown };
  if (Array.isArray(scp)) return scp.filter((s): s is string => typeof s === "string");
  if (typeof scp === "string") return scp.split(" ");
  if (typeof scope === "string") return scope.split(" ");
  return [];
}

function failureOf(error: unknown): BearerOutcome {
  if (error instanceof KeysUnavailable) return { ok: false, reason: "keys-unavailable" };
  if (error instanceof errors.JWTExpired) return { ok: false, reason: "expired" };
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "iss") return { ok: false, reason: "issuer" };
    if (error.claim === "aud") return { ok: false, reason: "audience" };
    if (error.claim === "nbf" || error.claim === "iat")
      return { ok: false, reason: "not-yet-valid" };
    return { ok: false, reason: "invalid" };
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return { ok: false, reason: "algorithm" };
  if (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return { ok: false, reason: "unknown-key" };
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return { ok: false, reason: "bad-signature" };
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return { ok: false, reason: "keys-unavailable" };
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return { ok: false, reason: "malformed" };
  }
  return { ok: false, reason: "invalid" };
}

export type BearerVerifier = (authorization: unknown) => Promise<BearerOutcome>;

export function createBearerVerifier(settings: OAuthSettings, keys: JwksKeySource): BearerVerifier {
  const verifyOptions = {
    issuer: settings.issuer,
    audience: settings.audience,
    algorithms: [...settings.algorithms],
    clockTolerance: settings.clockToleranceSeconds,
    requiredClaims: ["exp"],
  };
  return async (authorization) => {
    if (typeof authorization !== "string" || authorization === "")
      return { ok: false, reason: "missing" };
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) return { ok: false, reason: "malformed" };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys.resolve, verifyOptions));
    } catch (error) {
      return failureOf(error);
    }
    const cid = (payload as { cid?: unknown }).cid;
    if (settings.clientId !== undefined && cid !== settings.clientId)
      return { ok: false, reason: "client" };
    if (settings.scope !== undefined && !scopesOf(payload).includes(settings.scope)) {
      return { ok: false, reason: "scope" };
    }
    return typeof cid === "string" ? { ok: true, clientId: cid } : { ok: true };
  };
}
