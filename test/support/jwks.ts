// A JWKS endpoint on loopback for the OAuth tests: the key set it publishes and its availability
// are the test's to change, it counts requests, and it can hold requests unanswered until told.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, exportSPKI, generateKeyPair, type JWK } from "jose";

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: PrivateKey;
  /** The public key as the JWKS publishes it. */
  readonly jwk: JWK;
  /** The public key as PEM (SubjectPublicKeyInfo), for the HMAC confusion attempt. */
  readonly spki: string;
}

/** A new RS256 key pair named `kid`. */
export async function newSigningKey(kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  return { kid, privateKey, jwk, spki: await exportSPKI(publicKey) };
}

/**
 * `up` answers the key set; `error` a 503; `reset` drops the connection; `hang` never answers;
 * `hold` keeps each request until `releaseHeld()` answers it with the key set of that moment.
 */
export type Availability = "up" | "error" | "reset" | "hang" | "hold";

export class JwksServer {
  keys: JWK[];
  availability: Availability = "up";
  /** Requests received, on any path. */
  hits = 0;
  private readonly held: ServerResponse[] = [];
  private readonly server = createServer((req, res) => this.answer(req, res));

  constructor(keys: readonly SigningKey[]) {
    this.keys = keys.map((k) => k.jwk);
  }

  get uri(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/keys`;
  }

  /** Publishes exactly these keys from now on. */
  publish(...keys: SigningKey[]): void {
    this.keys = keys.map((k) => k.jwk);
  }

  /** Resolves once at least `count` requests are being held. */
  async heldRequests(count = 1): Promise<void> {
    while (this.held.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Answers every held request with the key set published now. */
  releaseHeld(): void {
    for (const res of this.held.splice(0)) this.sendKeys(res);
  }

  listen(): Promise<this> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve(this));
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private sendKeys(res: ServerResponse): void {
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ keys: this.keys }));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    this.hits += 1;
    if (req.url !== "/keys") {
      res.writeHead(404).end();
      return;
    }
    switch (this.availability) {
      case "hang":
        return;
      case "hold":
        this.held.push(res);
        return;
      case "reset":
        req.socket.destroy();
        return;
      case "error":
        res.writeHead(503, { "content-type": "text/plain" }).end("unavailable");
        return;
      case "up":
        this.sendKeys(res);
    }
  }
}

const started: JwksServer[] = [];

/** Starts a JWKS endpoint publishing `keys`; `closeAllJwks` stops every one started. */
export async function startJwks(...keys: SigningKey[]): Promise<JwksServer> {
  const server = await new JwksServer(keys).listen();
  started.push(server);
  return server;
}

export async function closeAllJwks(): Promise<void> {
  await Promise.all(started.splice(0).map((server) => server.close()));
}
