import { Command, InvalidArgumentError } from "commander";
import { createJwtService } from "./auth/jwt-service.js";
import { runConfigCommand } from "./config/config-commands.js";
import { SettingsError } from "./config/load-settings.js";
import { loadStartupSettings, type StartupSettings } from "./config/startup-settings.js";
import { openDatabase } from "./db/database.js";
import { redact } from "./db/database-url.js";
import { migrateToLatest } from "./db/migrations/migrate.js";
import { createGateway } from "./gateway.js";
import { boundOldGeneration } from "./observability/heap-tuning.js";
import { GATEWAY_VERSION } from "./version.js";

interface ServeOptions {
  host?: string;
  port?: string;
  logLevel?: string;
  validateConfig?: string | boolean;
  configSchema?: boolean;
}

function parsePort(value: string): string {
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError("must be a port number 0-65535");
  return value;
}

function fail(message: string, code: number): never {
  process.stderr.write(`mcpgateway: ${message}\n`);
  process.exit(code);
}

/** The command-line values that override the environment. */
function overridesFrom(options: ServeOptions): Record<string, string | undefined> {
  return { HOST: options.host, PORT: options.port, LOG_LEVEL: options.logLevel };
}

/** Settings from the environment, ./.env and the command line (dev secrets too); exit 2 when invalid. */
function settingsFrom(options: ServeOptions): StartupSettings {
  try {
    return loadStartupSettings({ env: process.env, cwd: process.cwd(), overrides: overridesFrom(options) });
  } catch (error) {
    if (error instanceof SettingsError) fail(error.message, 2);
    throw error;
  }
}

async function serveCommand(options: ServeOptions): Promise<void> {
  const exitCode = runConfigCommand(options, {
    env: process.env,
    cwd: process.cwd(),
    overrides: overridesFrom(options),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
  if (exitCode !== undefined) {
    process.exitCode = exitCode;
    return;
  }
  const { settings, notice } = settingsFrom(options);
  const gateway = createGateway({ settings });
  if (notice !== undefined) gateway.logger.info(notice);
  try {
    const { url } = await gateway.start();
    boundOldGeneration();
    gateway.logger.info(
      { url, version: GATEWAY_VERSION, database: gateway.database.dialect },
      `ContextForge gateway listening on ${url}`,
    );
  } catch (error) {
    await gateway.stop().catch(() => {});
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "EADDRINUSE"
        ? `port ${settings.PORT} on ${settings.HOST} is already in use (set PORT or --port)`
        : error instanceof Error
          ? error.message
          : String(error);
    fail(`cannot start: ${reason}`, 1);
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
}

async function migrateCommand(): Promise<void> {
  const { settings, notice } = settingsFrom({});
  if (notice !== undefined) process.stderr.write(`mcpgateway: ${notice}\n`);
  const database = openDatabase(settings);
  try {
    const report = await migrateToLatest(database.db, database.dialect);
    const where = `${database.dialect} (${redact(settings.DATABASE_URL)})`;
    process.stdout.write(
      report.applied.length === 0
        ? `database ${where} is up to date (${report.known.length} migrations)\n`
        : `applied ${report.applied.length} migration(s) to ${where}: ${report.applied.join(", ")}\n`,
    );
  } catch (error) {
    fail(`migration failed: ${error instanceof Error ? error.message : String(error)}`, 1);
  } finally {
    await database.close();
  }
}

async function tokenCommand(options: { username: string; exp?: string }): Promise<void> {
  const { settings, notice } = settingsFrom({});
  if (notice !== undefined) process.stderr.write(`mcpgateway: ${notice}\n`);
  try {
    const jwt = await createJwtService(settings);
    const minutes = options.exp === undefined ? settings.TOKEN_EXPIRY : Number(options.exp);
    if (minutes === 0) process.stderr.write("mcpgateway: warning: this token never expires\n");
    process.stdout.write(`${await jwt.mint(options.username, { expiresInMinutes: minutes })}\n`);
  } catch (error) {
    fail(`cannot mint a token: ${error instanceof Error ? error.message : String(error)}`, 1);
  }
}

function parseMinutes(value: string): string {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("must be a whole number of minutes");
  return value;
}

const program = new Command("mcpgateway")
  .description(
    "ContextForge MCP gateway: federates MCP servers, REST services and A2A agents behind one endpoint.\n" +
      "Settings come from environment variables (HOST, PORT, DATABASE_URL, ...) and\n" +
      "./.env (the environment wins); the options below override both.\n" +
      "Every setting: docs/configuration.md, or mcpgateway --config-schema.",
  )
  .version(GATEWAY_VERSION, "-V, --version", "print the version and exit")
  .option("--host <host>", "interface to bind (env HOST, default 127.0.0.1)")
  .option("--port <port>", "TCP port (env PORT, default 4444)", parsePort)
  .option("--log-level <level>", "minimum log level (env LOG_LEVEL, default info)")
  .option(
    "--validate-config [file]",
    "check FILE alone (or the environment + ./.env) and exit: 0 valid, 2 not",
  )
  .option("--config-schema", "print the JSON Schema of the settings and exit")
  .addHelpText(
    "after",
    "\nExamples:\n  mcpgateway                      # http://127.0.0.1:4444, state in ./mcp.db\n" +
      "  PORT=8080 mcpgateway --host 0.0.0.0\n" +
      "  DATABASE_URL=postgresql://postgres@127.0.0.1/mcp mcpgateway migrate\n" +
      "  curl http://127.0.0.1:4444/health",
  )
  .action(serveCommand);

program
  .command("migrate")
  .description("apply pending database migrations to DATABASE_URL and exit (safe to run from several hosts)")
  .action(migrateCommand);

program
  .command("token")
  .description("mint a bearer token for the REST API, signed with the gateway's JWT settings")
  .requiredOption("-u, --username <email>", "the token's subject (sub claim)")
  .option(
    "-e, --exp <minutes>",
    "lifetime in minutes (default TOKEN_EXPIRY; 0 = never, if allowed)",
    parseMinutes,
  )
  .action(tokenCommand);

await program.parseAsync(process.argv);
