import {
  CLIENT_CAPABILITIES_META_KEY,
  type Client,
  type ProgressCallback,
  type RequestOptions,
} from "@modelcontextprotocol/client";
import { type CallDeadline, NO_SDK_TIMEOUT_MS } from "./call-deadline.js";
import type { UpstreamCallContext, UpstreamProgress } from "./upstream-call-context.js";

/** The MCP requests the pool forwards. */
export type ForwardedMethod = "tools/call" | "resources/read" | "prompts/get" | "completion/complete";

/**
 * Sends one request on a connected client with the call's deadline (reset by progress, stopped
 * while the client answers: see {@link CallDeadline}), abort signal and progress listener. The
 * result is the upstream's, as the SDK decoded it.
 *
 * On a 2026-07-28 connection the client's capabilities travel in each request's `_meta`: a call
 * whose downstream cannot answer server->client requests declares none, and one that names
 * `ctx.clientCapabilities` declares exactly those, so the upstream does not answer
 * `input_required` for input nobody can give. `ctx.meta` members (the federation via marker) are
 * added to the request's `_meta`, over whatever the downstream sent under the same keys.
 */
export function sendUpstreamRequest(
  client: Client,
  method: ForwardedMethod,
  params: Record<string, unknown>,
  ctx: UpstreamCallContext,
  deadline: CallDeadline,
): Promise<Record<string, unknown>> {
  const options: RequestOptions = {
    timeout: NO_SDK_TIMEOUT_MS,
    signal: ctx.signal ? AbortSignal.any([ctx.signal, deadline.signal]) : deadline.signal,
  };
  if (ctx.onProgress) options.onprogress = relayProgress(ctx.onProgress, () => deadline.reset());
  const modern = client.getProtocolEra() === "modern";
  const declared = ctx.onServerRequest === undefined ? {} : ctx.clientCapabilities;
  const stamped =
    ctx.meta === undefined ? params : { ...params, _meta: { ...asObject(params._meta), ...ctx.meta } };
  const sent =
    modern && declared !== undefined
      ? {
          ...stamped,
          _meta: { ...asObject(stamped._meta), [CLIENT_CAPABILITIES_META_KEY]: declared },
        }
      : stamped;
  return client.request({ method, params: sent }, options) as Promise<Record<string, unknown>>;
}

/** A `_meta` value as an object to spread (a client may have sent anything). */
const asObject = (value: unknown): object | undefined =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;

/** The SDK reports each `input_required` round it fulfils as progress; the upstream sent none of it. */
const SYNTHETIC_ROUND = /^Fulfilling input required by '/;

/**
 * Relays the upstream's progress, dropping what would break the spec's rule that progress
 * increases: the SDK's synthetic multi-round-trip progress, and (across retry legs, each with its
 * own progress token) values that do not exceed the last one relayed. Every progress the upstream
 * sent restarts the deadline (`onUpstreamProgress`), relayed or not.
 */
function relayProgress(
  onProgress: (progress: UpstreamProgress) => void,
  onUpstreamProgress: () => void,
): ProgressCallback {
  let last = Number.NEGATIVE_INFINITY;
  return (progress) => {
    if (progress.total === undefined && SYNTHETIC_ROUND.test(progress.message ?? "")) return;
    onUpstreamProgress();
    if (!(progress.progress > last)) return;
    last = progress.progress;
    try {
      onProgress({
        progress: progress.progress,
        ...(progress.total === undefined ? {} : { total: progress.total }),
        ...(progress.message === undefined ? {} : { message: progress.message }),
      });
    } catch {
      // A failing listener must not fail the call.
    }
  };
}
