import { readFileSync } from "node:fs";
import { Command } from "commander";

/** The package version, read from its package.json. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/**
 * The `mcpwrapper` command. This release has the command surface only (help and version); the
 * bridging itself lands in the next release, as the package README says.
 */
export function createProgram(): Command {
  return new Command("mcpwrapper")
    .description(
      "Lets a stdio-only MCP client (a desktop app or IDE) use a remote ContextForge gateway: speaks MCP on stdin/stdout and forwards to the gateway over HTTP.",
    )
    .version(VERSION, "-V, --version", "print the version and exit")
    .addHelpText(
      "after",
      '\nPlanned usage:\n  MCP_SERVER_URL=https://gateway.example.com/servers/ID/mcp MCP_AUTH="Bearer TOKEN" mcpwrapper\n\nStatus: this release provides the command\'s help and version only; the bridge\nitself is not in this release yet. See the package README for what is coming.',
    )
    .action(function (this: Command) {
      this.outputHelp({ error: true });
      process.exitCode = 1;
    });
}
