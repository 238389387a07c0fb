// Rotating the shared secret under a steady stream of Okta's calls: no call fails at any step, the old
// secret is refused once retired, and a bad configuration never replaces the running one.
import assert from "node:assert/strict";
import { Agent } from "node:http";
import { after, before, describe, it } from "node:test";
import { ALLOW } from "../src/policy/answer.js";
import {
  ConfigError,
  type Listening,
  listen,
  loadConfig,
  postHook,
  startService,
  type TestService,
  withoutDebugContext,
} from "./support/app.js";
import { selfServiceRegistration } from "./support/fixtures.js";
import { httpCall } from "./support/socket.js";

const SECRET_A = "Basic b2t0YTpzZWNyZXQtYS1yb3RhdGlvbi10ZXN0";
const SECRET_B = "Basic b2t0YTpzZWNyZXQtYi1yb3RhdGlvbi10ZXN0";
const IN_FLIGHT = 20;
/** Each step lasts until this many calls sent during it have been answered (counts, not time, so a busy machine only slows it). */
const CALLS_PER_STEP = 2 * IN_FLIGHT;

const SAMPLE = JSON.stringify(selfServiceRegistration());

const settings = (secrets: Record<string, string>) =>
  loadConfig({ ALLOWED_DOMAINS: "example.com", LOG_LEVEL: "warn", ...secrets });

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
  phase: number;
  secret: "A" | "B";
  status: number;
  body: string;
}

/** Okta's side: IN_FLIGHT calls at all times on keep-alive connections, with whichever secret it has. */
class OktaStream {
  secret: "A" | "B" = "A";
  phase = 1;
  readonly outcomes: Outcome[] = [];
  readonly inFlight = { A: 0, B: 0 };
  private stopped = false;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  private loops: Promise<void>[] = [];

  constructor(private readonly port: number) {}

  start(): void {
    this.loops = Array.from({ length: IN_FLIGHT }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    this.agent.destroy();
  }

  get total(): number {
    return this.inFlight.A + this.inFlight.B;
  }

  /** Resolves once no call sent with `secret` is still unanswered. */
  async drained(secret: "A" | "B"): Promise<void> {
    while (this.inFlight[secret] > 0) await pause(5);
  }

  /** Resolves once CALLS_PER_STEP calls sent in the current step have been answered. */
  async step(): Promise<void> {
    const phase = this.phase;
    while (this.outcomes.filter((o) => o.phase === phase).length < CALLS_PER_STEP) await pause(5);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const secret = this.secret;
      const phase = this.phase;
      this.inFlight[secret] += 1;
      try {
        const { status, body } = await this.call(secret === "A" ? SECRET_A : SECRET_B);
        this.outcomes.push({ phase, secret, status, body });
      } catch (error) {
        this.outcomes.push({ phase, secret, status: 0, body: String(error) });
      } finally {
        this.inFlight[secret] -= 1;
      }
    }
  }

  /** One call over the pool's keep-alive connections; its answer is checked against the spec. */
  private async call(secret: string): Promise<{ status: number; body: string }> {
    const { status, text } = await httpCall(this.port, {
      method: "POST",
      path: "/registrationHook",
      headers: { "content-type": "application/json", authorization: secret },
      body: SAMPLE,
      agent: this.agent,
    });
    return { status, body: text };
  }
}

/** An allow answer (its debugContext checked and set aside). */
function isAllow(text: string): boolean {
  try {
    assert.deepEqual(withoutDebugContext(JSON.parse(text)), ALLOW);
    return true;
  } catch {
    return false;
  }
}

describe("shared-secret rotation", () => {
  let service: TestService;
  let listening: Listening;

  before(async () => {
    service = await startService({ HOOK_AUTH_SECRET: SECRET_A, LOG_LEVEL: "warn" });
    listening = await listen(service);
  });

  after(() => listening.close());

  it("rotates from A to B under a steady stream of calls without a failed call", {
    timeout: 30_000,
  }, async () => {
    const okta = new OktaStream(listening.port);
    const inFlightAtReload: number[] = [];
    okta.start();
    try {
      // (1) The service has A; Okta sends A.
      await okta.step();
      // (2) The service learns B as current and keeps A as previous.
      inFlightAtReload.push(okta.total);
      await service.app.reload(
        settings({ HOOK_AUTH_SECRET: SECRET_B, HOOK_AUTH_SECRET_PREVIOUS: SECRET_A }),
      );
      okta.phase = 2;
      await okta.step();
      // (3) Okta switches to B; the calls it already sent with A still finish.
      okta.secret = "B";
      okta.phase = 3;
      await okta.drained("A");
      await okta.step();
      // (4) A is retired.
      inFlightAtReload.push(okta.total);
      await service.app.reload(settings({ HOOK_AUTH_SECRET: SECRET_B }));
      okta.phase = 4;
      await okta.step();
    } finally {
      await okta.stop();
    }

    const failed = okta.outcomes.filter((o) => o.status !== 200 || !isAllow(o.body));
    assert.deepEqual(failed.slice(0, 5), [], `${failed.length} of ${okta.outcomes.length} failed`);
    for (const [phase, secret] of [
      [1, "A"],
      [2, "A"],
      [3, "B"],
      [4, "B"],
    ] as const) {
      const answered = okta.outcomes.filter((o) => o.phase === phase && o.secret === secret);
      assert.ok(
        answered.length >= CALLS_PER_STEP,
        `only ${answered.length} calls in step ${phase}`,
      );
    }
    for (const inFlight of inFlightAtReload) {
      assert.ok(inFlight > 0, "a reload happened with no call in flight");
    }

    assert.equal((await postHook(service, SAMPLE, { secret: SECRET_A })).status, 401);
    const withB = await postHook(service, SAMPLE, { secret: SECRET_B });
    assert.equal(withB.status, 200);
    assert.ok(isAllow(withB.text), withB.text);
  });

  it("keeps the running secret when the new configuration does not load", async () => {
    await service.app.reload(settings({ HOOK_AUTH_SECRET: SECRET_A }));
    const invalid: Record<string, string>[] = [
      { HOOK_AUTH_SECRET: "too-short" },
      { HOOK_AUTH_SECRET_PREVIOUS: SECRET_A },
      { HOOK_AUTH_SECRET: SECRET_B, ALLOWED_DOMAINS: "not a domain!" },
    ];
    for (const env of invalid) {
      // As on SIGHUP: the configuration is loaded first, and only a valid one reaches reload.
      assert.throws(() => settings(env), ConfigError, JSON.stringify(env));
      const withA = await postHook(service, SAMPLE, { secret: SECRET_A });
      assert.equal(withA.status, 200);
      assert.ok(isAllow(withA.text), withA.text);
      assert.equal((await postHook(service, SAMPLE, { secret: SECRET_B })).status, 401);
    }
  });
});
