// The service as a process, and the only reader of process.env: loads the configuration, listens,
// reloads on SIGHUP (one at a time, the last asked for wins), drains on SIGTERM, and with WORKERS > 1
// runs that many processes through node's cluster module, their metrics summed on every scrape.
import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import type { Logger } from "pino";
import { AggregatorRegistry, type Registry } from "prom-client";
import { createApp } from "./app.js";
import { readConfigFile } from "./config/file.js";
import { type Config, ConfigError, loadConfig, parseWorkers } from "./config/index.js";
import { watchConfig } from "./config/watch.js";
import { createHttpServer } from "./http/server.js";
import { createLogger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { describePolicy as describeDomains } from "./policy/domains.js";
import { ALLOWED_DOMAINS_RULE_ID, describePolicy } from "./policy/engine/index.js";
import { reloadRequests, SIGNALS_READY, serialised } from "./signals.js";

type Env = Readonly<Record<string, string | undefined>>;

const DRAIN_TIMEOUT_MS = 10_000;
const EX_CONFIG = 78;
const METRICS_REQUEST = "registration-hook:metrics-request";
const METRICS_ANSWER = "registration-hook:metrics-answer";

function readConfig(env: Env): Config {
  const file = env.CONFIG_FILE?.trim();
  return loadConfig(env, readConfigFile(env), file ? dirname(file) : ".");
}

function warnAboutDemoSecret(config: Config, logger: Logger): void {
  if (config.auth.usingDemoSecret) {
    logger.warn(
      "HOOK_AUTH_SECRET is not set: accepting the DEMO secret from Okta's guide. Anyone can call this hook. Set HOOK_AUTH_SECRET before exposing it; NODE_ENV=production refuses to start without it.",
    );
  }
}

/** The policy for a log line; with ALLOWED_DOMAINS, the domains themselves too. */
function policyFields(config: Config): Record<string, unknown> {
  const domains = config.policy.rulesById.get(ALLOWED_DOMAINS_RULE_ID)?.domains;
  return {
    policy: describePolicy(config.policy),
    ...(domains === undefined ? {} : { allowedDomains: describeDomains(domains) }),
  };
}

/** In a worker, a scrape asks the primary for every worker's metrics, summed. */
function clusterCollect(logger: Logger): (registry: Registry) => Promise<string> {
  let next = 0;
  const waiting = new Map<number, (text: string | undefined) => void>();
  process.on("message", (message: { type?: unknown; id?: unknown; text?: unknown }) => {
    if (message?.type !== METRICS_ANSWER || typeof message.id !== "number") return;
    waiting.get(message.id)?.(typeof message.text === "string" ? message.text : undefined);
    waiting.delete(message.id);
  });
  return async (registry) => {
    const id = next++;
    const text = await new Promise<string | undefined>((resolve) => {
      waiting.set(id, resolve);
      process.send?.({ type: METRICS_REQUEST, id });
      setTimeout(() => {
        waiting.delete(id);
        resolve(undefined);
      }, 3_000).unref();
    });
    if (text !== undefined) return text;
    logger.warn("cluster metrics unavailable; answering this worker's own");
    return registry.metrics();
  };
}

async function serve(config: Config, env: Env): Promise<void> {
  const logger = createLogger(config.logLevel);
  warnAboutDemoSecret(config, logger);
  const metrics = createMetrics({
    processMetrics: true,
    ...(cluster.isWorker ? { collect: clusterCollect(logger) } : {}),
  });
  if (cluster.isWorker) {
    // Constructing one installs prom-client's answer to the primary's requests for this worker's metrics.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([metrics.registry]);
  }
  const app = await createApp(config, { logger, metrics });
  const server = createHttpServer(app);
  let current = config;
  const configFile = env.CONFIG_FILE?.trim();
  const watchedFiles = (c: Config) => [...(configFile ? [configFile] : []), ...c.policyFiles];

  const reload = serialised(async () => {
    let next: Config;
    try {
      next = readConfig(env);
    } catch (error) {
      const message = error instanceof ConfigError ? error.message : "unexpected error";
      metrics.reloadFailures.inc({ reason: "invalid" });
      logger.error(
        { problem: message },
        "configuration reload refused; keeping the running configuration",
      );
      return;
    }
    if (next.port !== current.port) logger.warn("PORT changes take effect only on restart");
    try {
      await app.reload(next);
    } catch (error) {
      logger.error(
        { err: error },
        "configuration reload failed; keeping the running configuration",
      );
      return;
    }
    current = next;
    watcher.update(watchedFiles(next));
    logger.level = next.logLevel;
    warnAboutDemoSecret(next, logger);
    logger.info({ ...policyFields(next), authMode: next.auth.mode }, "configuration reloaded");
  });

  // A ConfigMap edit (or any change of those files) reloads as SIGHUP does.
  const watcher = watchConfig(() => {
    logger.info("configuration files changed; reloading");
    reload();
  });
  watcher.update(watchedFiles(config));

  const stop = (signal: string) => {
    logger.info({ signal }, "draining: finishing calls in flight, accepting no new ones");
    watcher.stop();
    app.drain();
    server.close(() => {
      logger.info("stopped");
      process.exit(0);
    });
    server.closeIdleConnections();
    // A keep-alive connection whose call ends after the signal goes idle rather than closed, and
    // would hold server.close() open until the timeout: close each as soon as it is idle.
    setInterval(() => server.closeIdleConnections(), 100).unref();
    setTimeout(() => {
      logger.warn("drain timed out; closing the remaining connections");
      server.closeAllConnections();
      process.exit(1);
    }, DRAIN_TIMEOUT_MS).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);

  server.once("error", (error: NodeJS.ErrnoException) => {
    logger.fatal(
      { port: config.port, code: error.code },
      `cannot listen on port ${config.port}: ${error.code ?? error.message}`,
    );
    process.exit(1);
  });
  server.listen(config.port, () => {
    const address = server.address();
    logger.info(
      {
        port: typeof address === "object" && address ? address.port : config.port,
        ...policyFields(config),
        authMode: config.auth.mode,
        authHeader: config.auth.header,
        failMode: config.failMode,
        docs: config.docs,
        worker: cluster.isWorker ? cluster.worker?.id : undefined,
      },
      "registration hook listening",
    );
    // The probes, metrics and documents load now, behind the first hook answers rather than before.
    app.warm().catch((error: unknown) => {
      logger.fatal(
        { err: error },
        "the probes, metrics and documents could not be loaded; stopping",
      );
      process.exit(1);
    });
    // A SIGHUP that came while starting is applied now, once.
    if (reloadRequests.subscribe(reload) > 0)
      logger.info("applying the reload asked for while starting");
  });
}

/** The primary forks the workers, passes SIGHUP and SIGTERM on, sums metrics, and replaces a worker that dies. */
function supervise(workers: number, config: Config): void {
  const logger = createLogger(config.logLevel);
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let failed = false;
  const listening = new Set<number>();
  /** Workers that take SIGHUP; one still loading would die of it, so it is told once it can. */
  const takingSignals = new Set<number>();
  const reloadOwed = new Set<number>();
  const live = () =>
    Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  const terminate = () => {
    for (const worker of live()) worker.process.kill("SIGTERM");
  };
  cluster.on("message", (worker, message: { type?: unknown; id?: unknown }) => {
    if (message?.type === SIGNALS_READY) {
      takingSignals.add(worker.id);
      if (reloadOwed.delete(worker.id)) worker.process.kill("SIGHUP");
    } else if (message?.type === METRICS_REQUEST) {
      aggregator.clusterMetrics().then(
        (text) => worker.send({ type: METRICS_ANSWER, id: message.id, text }),
        () => worker.send({ type: METRICS_ANSWER, id: message.id }),
      );
    }
  });
  for (let i = 0; i < workers; i += 1) cluster.fork();
  cluster.on("listening", (worker) => listening.add(worker.id));
  cluster.on("exit", (worker, code) => {
    takingSignals.delete(worker.id);
    reloadOwed.delete(worker.id);
    // A worker that dies before it listens (port taken, say) would die again: stop instead of looping.
    if (!stopping && !listening.has(worker.id)) {
      logger.fatal({ worker: worker.id, code }, "worker exited before listening; stopping");
      failed = true;
      stopping = true;
      terminate();
    }
    if (stopping) {
      if (code !== 0) failed = true;
      if (live().filter((w) => !w.isDead()).length === 0) process.exit(failed ? 1 : 0);
      return;
    }
    logger.error({ worker: worker.id, code }, "worker exited; starting another");
    cluster.fork();
  });
  reloadRequests.subscribe(() => {
    for (const worker of live()) {
      if (takingSignals.has(worker.id)) worker.process.kill("SIGHUP");
      else reloadOwed.add(worker.id);
    }
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      stopping = true;
      terminate();
    });
  }
  logger.info({ workers }, "started workers");
}

export async function main(env: Env): Promise<void> {
  let config: Config;
  let workers: number;
  try {
    config = readConfig(env);
    workers = parseWorkers(env.WORKERS, availableParallelism());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    createLogger("info").fatal(`configuration error: ${error.message}`);
    process.exitCode = EX_CONFIG;
    return;
  }
  if (workers > 1 && cluster.isPrimary) {
    supervise(workers, config);
    return;
  }
  await serve(config, env);
}
