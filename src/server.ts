// Entry point: the only reader of process.env; validates configuration, listens, shuts down on signals.
import type { Server } from "node:http";
import { createApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { describePolicy } from "./policy/domains.js";

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      createLogger("info").fatal(
        { setting: error.message.split(":")[0] },
        `configuration error: ${error.message}`,
      );
      process.exitCode = 78; // EX_CONFIG
      return;
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  if (config.auth.usingDemoSecret) {
    logger.warn(
      "HOOK_AUTH_SECRET is not set: accepting the DEMO secret from Okta's guide. Anyone can call this hook. Set HOOK_AUTH_SECRET before exposing it; NODE_ENV=production refuses to start without it.",
    );
  }
  const app = await createApp(config, { logger });
  const server: Server = app.listen(config.port, () => {
    const address = server.address();
    logger.info(
      {
        port: typeof address === "object" && address ? address.port : config.port,
        allowedDomains: describePolicy(config.allowedDomains),
        authHeader: config.auth.header,
      },
      "registration hook listening",
    );
  });
  const stop = (signal: string) => {
    logger.info({ signal }, "shutting down");
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

await main();
