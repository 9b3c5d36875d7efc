import { readFileSync } from "node:fs";
import { Command } from "commander";

/** The package version, read from its package.json. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/**
 * The `mcpreverseproxy` command. This release has the command surface only (help and version); the
 * bridging itself lands in the next release, as the package README says.
 */
export function createProgram(): Command {
  return new Command("mcpreverseproxy")
    .description(
      "Publishes a local MCP server through a remote ContextForge gateway from behind NAT or a firewall, over an outbound WebSocket tunnel.",
    )
    .version(VERSION, "-V, --version", "print the version and exit")
    .addHelpText(
      "after",
      '\nPlanned usage:\n  mcpreverseproxy --local-stdio "uvx mcp-server-git" --gateway https://gateway.example.com --token TOKEN\n\nStatus: this release provides the command\'s help and version only; the bridge\nitself is not in this release yet. See the package README for what is coming.',
    )
    .action(function (this: Command) {
      this.outputHelp({ error: true });
      process.exitCode = 1;
    });
}
