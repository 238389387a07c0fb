// Entry point, and the only reader of process.env: loads the configuration, listens, reloads on SIGHUP,
// drains on SIGTERM, and with WORKERS > 1 runs that many processes through node's cluster module.
import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import type { Logger } from "pino";
import { createApp, type HookApp } from "./app.js";
import { type Config, ConfigError, loadConfig, parseWorkers } from "./config.js";
import { readSettings } from "./configFile.js";
import { createHttpServer } from "./http/server.js";
import { createLogger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { describePolicy } from "./policy/domains.js";

const DRAIN_TIMEOUT_MS = 10_000;
const EX_CONFIG = 78;

function readConfig(): Config {
  return loadConfig(readSettings(process.env));
}

function reportConfigError(error: unknown): boolean {
  if (!(error instanceof ConfigError)) return false;
  createLogger("info").fatal(`configuration error: ${error.message}`);
  return true;
}

function warnAboutDemoSecret(config: Config, logger: Logger): void {
  if (config.auth.usingDemoSecret) {
    logger.warn(
      "HOOK_AUTH_SECRET is not set: accepting the DEMO secret from Okta's guide. Anyone can call this hook. Set HOOK_AUTH_SECRET before exposing it; NODE_ENV=production refuses to start without it.",
    );
  }
}

async function serve(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  warnAboutDemoSecret(config, logger);
  // Installed first: a SIGHUP while the app is still starting would otherwise end the process.
  let app: HookApp | undefined;
  process.on("SIGHUP", () => {
    if (app) reload(app);
    else logger.warn("SIGHUP while starting: reload ignored");
  });
  app = await createApp(config, { logger, metrics: createMetrics({ processMetrics: true }) });
  const server = createHttpServer(app);
  let current = config;

  function reload(app: HookApp): void {
    let next: Config;
    try {
      next = readConfig();
    } catch (error) {
      const message = error instanceof ConfigError ? error.message : "unexpected error";
      logger.error(
        { problem: message },
        "configuration reload refused; keeping the running configuration",
      );
      return;
    }
    if (next.port !== current.port) logger.warn("PORT changes take effect only on restart");
    app.reload(next).then(
      () => {
        current = next;
        logger.level = next.logLevel;
        warnAboutDemoSecret(next, logger);
        logger.info(
          { allowedDomains: describePolicy(next.allowedDomains), authMode: next.auth.mode },
          "configuration reloaded",
        );
      },
      (error: unknown) =>
        logger.error(
          { err: error },
          "configuration reload failed; keeping the running configuration",
        ),
    );
  }

  const stop = (signal: string) => {
    logger.info({ signal }, "draining: finishing calls in flight, accepting no new ones");
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
        allowedDomains: describePolicy(config.allowedDomains),
        authMode: config.auth.mode,
        authHeader: config.auth.header,
        failMode: config.failMode,
        worker: cluster.isWorker ? cluster.worker?.id : undefined,
      },
      "registration hook listening",
    );
  });
}

/** The primary forks the workers, passes SIGHUP and SIGTERM on, and replaces a worker that dies. */
function supervise(workers: number, config: Config): void {
  const logger = createLogger(config.logLevel);
  let stopping = false;
  let failed = false;
  const listening = new Set<number>();
  const forward = (signal: NodeJS.Signals) => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  for (let i = 0; i < workers; i += 1) cluster.fork();
  cluster.on("listening", (worker) => listening.add(worker.id));
  cluster.on("exit", (worker, code) => {
    // A worker that dies before it listens (port taken, say) would die again: stop instead of looping.
    if (!stopping && !listening.has(worker.id)) {
      logger.fatal({ worker: worker.id, code }, "worker exited before listening; stopping");
      failed = true;
      stopping = true;
      forward("SIGTERM");
    }
    if (stopping) {
      if (code !== 0) failed = true;
      const left = Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead());
      if (left.length === 0) process.exit(failed ? 1 : 0);
      return;
    }
    logger.error({ worker: worker.id, code }, "worker exited; starting another");
    cluster.fork();
  });
  process.on("SIGHUP", () => forward("SIGHUP"));
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      stopping = true;
      forward("SIGTERM");
    });
  }
  logger.info({ workers }, "started workers");
}

async function main(): Promise<void> {
  let config: Config;
  let workers: number;
  try {
    config = readConfig();
    workers = parseWorkers(process.env.WORKERS, availableParallelism());
  } catch (error) {
    if (reportConfigError(error)) {
      process.exitCode = EX_CONFIG;
      return;
    }
    throw error;
  }
  if (workers > 1 && cluster.isPrimary) {
    supervise(workers, config);
    return;
  }
  await serve(config);
}

await main();
