// What one configuration compiles to; swapped whole on reload, and each call keeps the one it arrived under.
import type { Logger } from "pino";
import { type Authenticator, createAuthenticator } from "./auth/index.js";
import type { KeySourceOptions } from "./auth/oauth.js";
import type { Config } from "./config/index.js";

export interface Runtime {
  readonly config: Config;
  readonly auth: Authenticator;
}

/** Builds the runtime and, in OAuth mode, makes the first attempt to fetch the signing keys. */
export async function createRuntime(
  config: Config,
  logger: Logger,
  keyOptions?: KeySourceOptions,
): Promise<Runtime> {
  const auth = await createAuthenticator(config.auth, logger, keyOptions);
  await auth.start();
  return { config, auth };
}

/** Holds the current runtime; replaced atomically, the old one stopped once the new one is ready. */
export class RuntimeHolder {
  private draining = false;

  constructor(private runtime: Runtime) {}

  /** What a call arriving now is served by; the call keeps it (see Call.runtime). */
  get current(): Runtime {
    return this.runtime;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  replace(next: Runtime): void {
    const previous = this.runtime;
    this.runtime = next;
    previous.auth.stop();
  }

  /** Readiness turns false so load balancers stop routing here; in-flight calls still finish. */
  drain(): void {
    this.draining = true;
    this.runtime.auth.stop();
  }
}
