import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";

/** Which protocol era the test client speaks. */
export type ClientEra = "2025" | "2026";

/** A connected SDK v2 client of the gateway (2025: initialize handshake; 2026: stateless). */
export async function connectClient(
  url: string,
  token: string | undefined,
  era: ClientEra,
  capabilities: Record<string, unknown> = {},
): Promise<Client> {
  const client = new Client(
    { name: `test-${era}`, version: "1.0.0" },
    { versionNegotiation: { mode: era === "2026" ? "auto" : "legacy" }, capabilities },
  );
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}
