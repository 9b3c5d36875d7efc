/** The path of the gateway's reverse proxy endpoint (as in ContextForge). */
export const REVERSE_PROXY_PATH = "/reverse-proxy/ws";

/**
 * The WebSocket URL to dial for `--gateway`: http(s) becomes ws(s), and a gateway root (or any
 * path not already ending in `/reverse-proxy/ws`) gets that path appended, so both
 * `https://gw.example.com` and `https://gw.example.com/prefix` work.
 */
export function tunnelUrl(gateway: URL): URL {
  const url = new URL(gateway.href);
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  if (!url.pathname.endsWith(REVERSE_PROXY_PATH)) {
    url.pathname = `${url.pathname.replace(/\/+$/, "")}${REVERSE_PROXY_PATH}`;
  }
  url.hash = "";
  return url;
}

/** Runners whose first operand, not themselves, names the server (`npx pkg`, `uvx pkg`, `node file`). */
const RUNNERS = new Set([
  "npx",
  "uvx",
  "node",
  "python",
  "python3",
  "deno",
  "bun",
  "bunx",
  "pnpm",
  "npm",
  "uv",
]);

/**
 * The default `--name`: the program's base name, or for a runner (`npx`, `uvx`, `node`, ...) the
 * base name of its first operand, without scope, version or extension
 * (`npx -y @acme/mcp-server-git@1.2` -> `mcp-server-git`).
 */
export function defaultServerName(argv: readonly string[]): string {
  const [program = "local-server", ...rest] = argv;
  const base = (word: string): string =>
    (word.split("/").pop() ?? word).replace(/@[^@]*$/, "").replace(/\.[cm]?[jt]s$|\.py$/, "") || word;
  const name = base(program);
  if (!RUNNERS.has(name)) return name;
  const operand = rest.find(
    (word) => !word.startsWith("-") && word !== "run" && word !== "exec" && word !== "dlx",
  );
  return operand === undefined ? name : base(operand.replace(/^@[^/]+\//, ""));
}
