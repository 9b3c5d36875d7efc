import { readFileSync } from "node:fs";
import { Command } from "commander";

/** The package version, read from its package.json. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/**
 * The `mcptranslate` command. This release has the command surface only (help and version); the
 * bridging itself lands in the next release, as the package README says.
 */
export function createProgram(): Command {
  return new Command("mcptranslate")
    .description(
      "Bridges MCP transports: exposes a local stdio MCP server over SSE, streamable HTTP or WebSocket, and connects remote MCP servers to local stdio.",
    )
    .version(VERSION, "-V, --version", "print the version and exit")
    .addHelpText(
      "after",
      '\nPlanned usage:\n  mcptranslate --stdio "npx -y @modelcontextprotocol/server-everything" --expose-streamable-http --port 8000\n  mcptranslate --connect-streamable-http https://gateway.example.com/servers/ID/mcp\n\nStatus: this release provides the command\'s help and version only; the bridge\nitself is not in this release yet. See the package README for what is coming.',
    )
    .action(function (this: Command) {
      this.outputHelp({ error: true });
      process.exitCode = 1;
    });
}
