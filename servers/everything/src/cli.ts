#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { startHttpServer } from "./http/start-http-server.js";
import { DEFAULT_PAGE_SIZE } from "./pagination.js";
import { serveEverythingStdio } from "./serve-everything-stdio.js";

const BIN = "mcp-sample-everything";

function readVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

function positiveInteger(min: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < min)
      throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return parsed;
  };
}

interface CliOptions {
  transport: "stdio" | "http";
  port: number;
  host: string;
  pageSize: number;
  legacyOnly?: boolean;
}

const log = (line: string): void => {
  process.stderr.write(`${BIN}: ${line}\n`);
};

/** What a SIGINT/SIGTERM closes; set once the transport is up. */
let close: (() => Promise<void>) | undefined;

// Installed before the ready line is printed, so a signal sent as soon as it appears is handled.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void (close?.() ?? Promise.resolve()).finally(() => process.exit(0));
  });
}

async function main(): Promise<void> {
  const version = readVersion();
  const program = new Command(BIN)
    .description("A sample MCP server with everything a gateway must relay")
    .version(version)
    .addOption(new Option("--transport <kind>", "stdio or http").choices(["stdio", "http"]).default("stdio"))
    .option("--port <n>", "HTTP port (0 picks a free one)", positiveInteger(0), 3001)
    .option("--host <address>", "HTTP interface to bind", "127.0.0.1")
    .option("--page-size <n>", "items per list page", positiveInteger(1), DEFAULT_PAGE_SIZE)
    .option("--legacy-only", "HTTP: serve the 2025 protocol versions only (2026-07-28 requests get -32022)")
    .parse();
  const options = program.opts<CliOptions>();
  const common = { pageSize: options.pageSize, version, log };

  if (options.transport === "stdio") {
    const handle = serveEverythingStdio(common);
    close = () => handle.close();
    return;
  }
  const running = await startHttpServer({
    ...common,
    port: options.port,
    host: options.host,
    ...(options.legacyOnly ? { legacyOnly: true } : {}),
  });
  close = () => running.close();
  process.stderr.write(`${BIN} listening on ${running.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${BIN}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
