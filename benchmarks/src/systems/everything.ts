import { StdioConnection } from "../client/stdio-connection.js";
import { childEnv, nodeCommandLine, scratchDir, WORKSPACE_CLIS } from "./environment.js";
import { SupervisedProcess } from "./supervised-process.js";
import type { RunningSystem, SystemSpec } from "./system.js";

/** The sample server as a stdio command: `node servers/everything/dist/cli.js --transport stdio`. */
export const EVERYTHING_STDIO: {
  readonly command: string;
  readonly args: readonly string[];
  /** The same, quoted as one command line (for bridges that take a command string). */
  readonly commandLine: string;
} = {
  command: process.execPath,
  args: [WORKSPACE_CLIS.everything, "--transport", "stdio"],
  commandLine: nodeCommandLine(WORKSPACE_CLIS.everything, ["--transport", "stdio"]),
};

/** The sample server on streamable HTTP (a free port), and its URL. */
export async function startEverythingHttp(
  home: string,
): Promise<{ process: SupervisedProcess; url: string }> {
  const process_ = await SupervisedProcess.start(
    "everything (http)",
    process.execPath,
    [WORKSPACE_CLIS.everything, "--transport", "http", "--port", "0"],
    { env: childEnv(home) },
  );
  try {
    const match = await process_.waitForOutput(/listening on (http:\/\/\S+)/);
    return { process: process_, url: match[1] as string };
  } catch (error) {
    await process_.stop();
    throw error;
  }
}

/** Direct: the client talks to the sample server's own streamable HTTP, both eras. */
export const directHttp: SystemSpec = {
  id: "direct-http",
  label: "direct: client -> sample server, streamable HTTP",
  async start(): Promise<RunningSystem> {
    const home = scratchDir("direct-http");
    const { process: server, url } = await startEverythingHttp(home.path);
    return {
      endpoints: {
        http2025: { transport: "streamable-http", url, era: "2025" },
        http2026: { transport: "streamable-http", url, era: "2026" },
      },
      roots: [server.pid],
      upstreamRoots: [],
      async stop() {
        await server.stop();
        home.remove();
      },
    };
  },
};

/** Direct: the client runs the sample server over stdio and multiplexes calls on it. */
export const directStdio: SystemSpec = {
  id: "direct-stdio",
  label: "direct: client -> sample server, stdio",
  async start(): Promise<RunningSystem> {
    const home = scratchDir("direct-stdio");
    const server = await SupervisedProcess.start(
      "everything (stdio)",
      EVERYTHING_STDIO.command,
      [...EVERYTHING_STDIO.args],
      {
        env: childEnv(home.path),
        stdio: "protocol",
      },
    );
    const connection = new StdioConnection(server.child);
    try {
      await connection.initialize();
    } catch (error) {
      await server.stop();
      home.remove();
      throw error;
    }
    return {
      endpoints: { stdio: { transport: "stdio", connection } },
      roots: [server.pid],
      upstreamRoots: [],
      async stop() {
        server.child.stdin?.end();
        await server.stop();
        home.remove();
      },
    };
  },
};
