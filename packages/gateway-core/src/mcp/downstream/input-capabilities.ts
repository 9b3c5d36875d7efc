import { inputResponse } from "@modelcontextprotocol/server";

type Json = Record<string, unknown>;

/** A request an upstream sends back to the client during a call. */
export interface InputRequestMessage {
  readonly method: string;
  readonly params?: Json;
  /** The upstream's id of the request (a 2026 upstream's `inputRequests` key, or a JSON-RPC id). */
  readonly id?: string | number;
}

const objectOr = (value: unknown): Json | undefined =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : undefined;

/**
 * The client capability `request` needs that `declared` (the `_meta` client capabilities of a
 * 2026-07-28 request) lacks, as a dotted name; undefined when it is declared. An empty
 * `elicitation: {}` means form mode (spec: client/elicitation).
 */
export function missingCapability(request: InputRequestMessage, declared: Json): string | undefined {
  const params = request.params ?? {};
  switch (request.method) {
    case "sampling/createMessage": {
      const sampling = objectOr(declared.sampling);
      if (!sampling) return "sampling";
      return params.tools !== undefined && sampling.tools === undefined ? "sampling.tools" : undefined;
    }
    case "elicitation/create": {
      const elicitation = objectOr(declared.elicitation);
      if (!elicitation) return "elicitation";
      if (params.mode === "url") return elicitation.url === undefined ? "elicitation.url" : undefined;
      const formOnly = Object.keys(elicitation).length === 0;
      return formOnly || elicitation.form !== undefined ? undefined : "elicitation.form";
    }
    case "roots/list":
      return objectOr(declared.roots) ? undefined : "roots";
    default:
      return request.method;
  }
}

const RESPONSE_KIND: Readonly<Record<string, string>> = {
  "sampling/createMessage": "sampling",
  "elicitation/create": "elicit",
  "roots/list": "roots",
};

/** Whether `response` (an entry of a retry's `inputResponses`) is a result of `method`'s kind. */
export function answersRequest(method: string, response: unknown): boolean {
  return inputResponse({ answer: response }, "answer").kind === RESPONSE_KIND[method];
}

/**
 * The embedded form of an upstream's request: its params without the per-hop
 * `io.modelcontextprotocol/*` members of `_meta` (a 2026 upstream's envelope, a 2025 related-task).
 */
export function toInputRequest(request: InputRequestMessage): { method: string; params: Json } {
  const { _meta: meta, ...params } = request.params ?? {};
  const kept = Object.entries(objectOr(meta) ?? {}).filter(
    ([key]) => !key.startsWith("io.modelcontextprotocol/"),
  );
  return {
    method: request.method,
    params: kept.length > 0 ? { ...params, _meta: Object.fromEntries(kept) } : params,
  };
}
