#!/usr/bin/env node
import { Command, InvalidArgumentError } from "commander";
import { loadSettings, SettingsError } from "./config/load-settings.js";
import { createGateway } from "./gateway.js";
import { GATEWAY_VERSION } from "./version.js";

function parsePort(value: string): string {
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError("must be a port number 0-65535");
  return value;
}

const program = new Command("mcpgateway")
  .description(
    "ContextForge MCP gateway: federates MCP servers, REST services and A2A agents behind one endpoint.\n" +
      "Settings come from environment variables (HOST, PORT, LOG_LEVEL, LOG_FORMAT, ...);\n" +
      "the options below override them.",
  )
  .version(GATEWAY_VERSION, "-V, --version", "print the version and exit")
  .option("--host <host>", "interface to bind (env HOST, default 127.0.0.1)")
  .option("--port <port>", "TCP port (env PORT, default 4444)", parsePort)
  .option("--log-level <level>", "minimum log level (env LOG_LEVEL, default info)")
  .addHelpText(
    "after",
    "\nExamples:\n  mcpgateway                      # http://127.0.0.1:4444\n  PORT=8080 mcpgateway --host 0.0.0.0\n  curl http://127.0.0.1:4444/health",
  )
  .action(async (options: { host?: string; port?: string; logLevel?: string }) => {
    let settings: ReturnType<typeof loadSettings>;
    try {
      settings = loadSettings({
        ...process.env,
        ...(options.host === undefined ? {} : { HOST: options.host }),
        ...(options.port === undefined ? {} : { PORT: options.port }),
        ...(options.logLevel === undefined ? {} : { LOG_LEVEL: options.logLevel }),
      });
    } catch (error) {
      if (error instanceof SettingsError) {
        process.stderr.write(`mcpgateway: ${error.message}\n`);
        process.exit(2);
      }
      throw error;
    }

    const gateway = createGateway({ settings });
    try {
      const { url } = await gateway.start();
      gateway.logger.info({ url, version: GATEWAY_VERSION }, `ContextForge gateway listening on ${url}`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === "EADDRINUSE"
          ? `port ${settings.PORT} on ${settings.HOST} is already in use (set PORT or --port)`
          : String(error);
      process.stderr.write(`mcpgateway: cannot start: ${reason}\n`);
      process.exit(1);
    }

    let stopping = false;
    const shutdown = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      gateway.logger.info({ signal }, "shutting down");
      gateway.stop().then(
        () => {
          gateway.logger.flush();
          process.exit(0);
        },
        (error: unknown) => {
          gateway.logger.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
    };
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  });

await program.parseAsync(process.argv);
