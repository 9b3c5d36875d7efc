import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { Command, InvalidArgumentError, Option } from "commander";
import { startHttpServer } from "../http/start-http-server.js";
import { createFastTimeServer } from "../mcp/fast-time-server.js";
import { packageVersion } from "../package-version.js";
import { onShutdownSignal } from "./on-shutdown-signal.js";

interface CliOptions {
  readonly transport: "stdio" | "http";
  readonly port: number;
  readonly host: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError("expected an integer from 0 to 65535.");
  }
  return port;
}

async function run(options: CliOptions): Promise<void> {
  if (options.transport === "stdio") {
    // stdout belongs to the protocol: everything for humans goes to stderr.
    const handle = serveStdio(() => createFastTimeServer(), {
      onerror: (error) => console.error(`mcp-fast-time: ${error.message}`),
    });
    onShutdownSignal(() => handle.close());
    console.error("mcp-fast-time serving MCP on stdio");
    return;
  }
  const server = await startHttpServer({ port: options.port, host: options.host });
  onShutdownSignal(() => server.close());
  console.error(`mcp-fast-time listening on ${server.url}`);
}

/** The `mcp-fast-time` command line. */
export function createProgram(): Command {
  return new Command()
    .name("mcp-fast-time")
    .description("MCP server for the current time in any timezone and time conversion.")
    .version(packageVersion(), "-V, --version", "print the version and exit")
    .addOption(
      new Option("-t, --transport <transport>", "how clients connect")
        .choices(["stdio", "http"])
        .default("stdio"),
    )
    .addOption(
      new Option("-p, --port <port>", "HTTP port (with --transport http)").argParser(parsePort).default(8080),
    )
    .addOption(
      new Option("--host <host>", "HTTP interface to bind (with --transport http)").default("127.0.0.1"),
    )
    .helpOption("-h, --help", "show this help")
    .addHelpText(
      "after",
      "\nExamples:\n  mcp-fast-time                          # stdio, for desktop clients\n" +
        "  mcp-fast-time --transport http --port 8080   # streamable HTTP at http://127.0.0.1:8080/mcp",
    )
    .action((options: CliOptions) => run(options));
}
