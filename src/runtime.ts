// What one configuration compiles to; swapped whole on reload so a request sees one configuration throughout.
import type { Logger } from "pino";
import { type Authenticator, createAuthenticator } from "./auth/index.js";
import type { KeySourceOptions } from "./auth/oauth.js";
import type { Config } from "./config.js";

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
  const auth = createAuthenticator(config.auth, logger, keyOptions);
  await auth.start();
  return { config, auth };
}

/** The runtime a request started with: pinned when it arrives, so a reload never mixes two configurations. */
export function runtimeOf(
  res: { locals: Record<string, unknown> },
  holder: RuntimeHolder,
): Runtime {
  return (res.locals.runtime as Runtime | undefined) ?? holder.current;
}

/** Holds the current runtime; replaced atomically, the old one stopped once the new one is ready. */
export class RuntimeHolder {
  private draining = false;

  constructor(private runtime: Runtime) {}

  get current(): Runtime {
    return this.runtime;
  }

  /** Pins the current runtime on a response; see runtimeOf. */
  pin(res: { locals: Record<string, unknown> }): void {
    res.locals.runtime = this.runtime;
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
