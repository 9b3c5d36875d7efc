import type { Dispatcher } from "undici";
import { LegacySseSession } from "./legacy-sse-session.js";
import type { McpSession } from "./mcp-session.js";
import { type StdioConnection, StdioSession } from "./stdio-connection.js";
import { StreamableHttpSession } from "./streamable-http-session.js";

/** How to reach a system under test. */
export type Endpoint =
  | {
      readonly transport: "streamable-http";
      readonly url: string;
      readonly era: "2025" | "2026";
      readonly headers?: Readonly<Record<string, string>>;
    }
  | { readonly transport: "sse"; readonly url: string; readonly headers?: Readonly<Record<string, string>> }
  | { readonly transport: "stdio"; readonly connection: StdioConnection };

/** A short label: `HTTP 2025`, `HTTP 2026`, `SSE` or `stdio`. */
export function endpointLabel(endpoint: Endpoint): string {
  if (endpoint.transport === "streamable-http") return `HTTP ${endpoint.era}`;
  return endpoint.transport === "sse" ? "SSE" : "stdio";
}

/** A new, unopened session on `endpoint`. */
export function createSession(endpoint: Endpoint, dispatcher: Dispatcher): McpSession {
  switch (endpoint.transport) {
    case "streamable-http":
      return new StreamableHttpSession({
        url: endpoint.url,
        era: endpoint.era,
        dispatcher,
        ...(endpoint.headers === undefined ? {} : { headers: endpoint.headers }),
      });
    case "sse":
      return new LegacySseSession({
        url: endpoint.url,
        dispatcher,
        ...(endpoint.headers === undefined ? {} : { headers: endpoint.headers }),
      });
    case "stdio":
      return new StdioSession(endpoint.connection);
  }
}
