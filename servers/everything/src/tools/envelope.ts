import type { ServerContext } from "@modelcontextprotocol/server";

/**
 * Reads one reserved `io.modelcontextprotocol/*` key of a 2026-07-28 request's `_meta` envelope.
 * The SDK types the envelope as an opaque bag keyed by the full meta-key strings.
 */
export function envelopeValue(ctx: ServerContext, key: string): unknown {
  const envelope = ctx.mcpReq.envelope as Readonly<Record<string, unknown>> | undefined;
  return envelope?.[key];
}
