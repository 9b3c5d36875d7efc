import { createHash, randomUUID } from "node:crypto";
import {
  CLIENT_CAPABILITIES_META_KEY,
  createRequestStateCodec,
  ProtocolError,
  ProtocolErrorCode,
  type RequestStateCodec,
  type ServerContext,
} from "@modelcontextprotocol/server";
import type { CallRelay } from "../upstream-caller.js";
import { ParkedCall, type ParkedCallEvent } from "./parked-call.js";

type Json = Record<string, unknown>;

/** The methods whose 2026-07-28 results may be `input_required`. */
export type BridgedMethod = "tools/call" | "prompts/get" | "resources/read";

/** One downstream request the bridge serves: what identifies it, and how to call the upstream. */
export interface BridgedCall {
  readonly method: BridgedMethod;
  /** The params that identify the call (name and arguments, or uri): a retry must repeat them. */
  readonly params: Json;
  readonly run: (relay: CallRelay) => Promise<Json>;
}

/** The part of the SDK's handler context the bridge reads. */
export type BridgeContext = Pick<ServerContext, "mcpReq" | "http">;

/** Options of {@link InputBridge}. */
export interface InputBridgeOptions {
  /** HMAC-SHA256 key sealing `requestState`, at least 32 bytes; the same on every replica. */
  readonly key: Uint8Array;
  /** This replica's id, sealed into each state: only the replica holding the call can resume it. */
  readonly replicaId: string;
  /** How long a parked call waits for the client's retry. Default 300000 (5 minutes). */
  readonly parkTimeoutMs?: number;
}

/** Default for {@link InputBridgeOptions.parkTimeoutMs}. */
export const DEFAULT_PARK_TIMEOUT_MS = 300_000;

/** What a `requestState` carries (signed, readable by the client: no secrets). */
interface SealedState {
  /** The parked call. */
  readonly call: string;
  /** The round it answers; the upstream request ids pending in that round are `keys`. */
  readonly round: number;
  readonly keys: readonly string[];
  readonly replica: string;
  readonly method: string;
  /** SHA-256 of the identifying params. */
  readonly digest: string;
  /** Expiry, epoch milliseconds. */
  readonly expires: number;
}

const invalidParams = (message: string): ProtocolError =>
  new ProtocolError(ProtocolErrorCode.InvalidParams, message, { reason: "invalid_request_state" });

/** JSON with sorted object keys, so equal params give equal digests. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Json)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

const digestOf = (method: string, params: Json): string =>
  createHash("sha256")
    .update(`${method}\0${canonical(params)}`)
    .digest("base64url");

/**
 * Bridges upstream sampling, elicitation and roots requests to 2026-07-28 clients (spec
 * basic/patterns/mrtr): while a call `u` runs, such a request answers the client with
 * `input_required` and parks `u`; the client's retry (same params, `inputResponses`, the sealed
 * `requestState`) feeds the answers upstream and waits for `u`'s result or its next requests.
 *
 * `requestState` is sealed with the SDK's HMAC codec, bound to the principal and the virtual
 * server; it names the parked call, the round, the pending request keys, the replica, the method
 * and a digest of the params. Anything that does not verify or match is refused with -32602.
 *
 * Deadlines: while a parked call waits for the client, its upstream deadline (`TOOL_TIMEOUT`, or
 * the gateway's `timeout_seconds`) is stopped (the pool's `CallDeadline`), so a client may take up
 * to `parkTimeoutMs` (`MCP_INPUT_REQUIRED_TIMEOUT`) to retry; the deadline resumes with the time it
 * had left once the answer goes upstream.
 */
export class InputBridge {
  readonly #calls = new Map<string, ParkedCall>();
  readonly #codec: RequestStateCodec<SealedState>;
  readonly #replicaId: string;
  readonly #parkTimeoutMs: number;

  /** @throws {RangeError} for a key shorter than 32 bytes or a bad timeout. */
  constructor(options: InputBridgeOptions) {
    const parkTimeoutMs = options.parkTimeoutMs ?? DEFAULT_PARK_TIMEOUT_MS;
    if (!(parkTimeoutMs > 0 && Number.isFinite(parkTimeoutMs)))
      throw new RangeError("parkTimeoutMs must be a positive number");
    this.#parkTimeoutMs = parkTimeoutMs;
    this.#replicaId = options.replicaId;
    this.#codec = createRequestStateCodec<SealedState>({
      key: options.key,
      ttlSeconds: Math.ceil(parkTimeoutMs / 1000),
      bind: (ctx) =>
        `${ctx.http?.authInfo?.clientId ?? ""}\0${String(ctx.http?.authInfo?.extra?.serverId ?? "")}`,
    });
  }

  /** The SDK server's `requestState.verify` hook: refused states never reach a handler. */
  readonly verify = (state: string, ctx: ServerContext): Promise<SealedState> =>
    this.#codec.verify(state, ctx);

  /** Calls parked or in flight through the bridge. */
  get size(): number {
    return this.#calls.size;
  }

  /** Serves one `tools/call`, `prompts/get` or `resources/read` of a 2026-07-28 client. */
  async serve(
    ctx: BridgeContext,
    call: BridgedCall,
    relayOf: (ctx: BridgeContext) => CallRelay,
  ): Promise<Json> {
    let state: unknown = ctx.mcpReq.requestState();
    if (typeof state === "string") {
      // A server built without the verify hook: verify here.
      state = await this.#codec.verify(state, ctx as ServerContext).catch(() => {
        throw invalidParams("Invalid or expired requestState");
      });
    }
    if (state === undefined) return this.#start(ctx, call, relayOf);
    return this.#resume(ctx, state as SealedState, call, relayOf);
  }

  /** Cancels every parked call (shutdown). */
  close(): void {
    for (const call of [...this.#calls.values()]) call.cancel(new Error("the gateway is shutting down"));
  }

  #start(ctx: BridgeContext, call: BridgedCall, relayOf: (ctx: BridgeContext) => CallRelay): Promise<Json> {
    const envelope = ctx.mcpReq.envelope as Json | undefined;
    const declared = envelope?.[CLIENT_CAPABILITIES_META_KEY] ?? {};
    const id = randomUUID();
    const parked = new ParkedCall(id, declared as Json, () => this.#calls.delete(id));
    this.#calls.set(id, parked);
    parked.start(call.run);
    return this.#next(ctx, parked, call, relayOf);
  }

  #resume(
    ctx: BridgeContext,
    state: SealedState,
    call: BridgedCall,
    relayOf: (ctx: BridgeContext) => CallRelay,
  ): Promise<Json> {
    if (state.replica !== this.#replicaId)
      throw invalidParams(`requestState belongs to gateway replica ${state.replica}, not this one`);
    if (state.method !== call.method || state.digest !== digestOf(call.method, call.params))
      throw invalidParams("The retry's params differ from those of the request that returned input_required");
    const parked = this.#calls.get(state.call);
    if (state.expires < Date.now() || !parked || !parked.claimable(state.round))
      throw invalidParams("Invalid or expired requestState: the call it resumes has ended or moved on");
    parked.answer(state.keys, ctx.mcpReq.inputResponses);
    return this.#next(ctx, parked, call, relayOf);
  }

  async #next(
    ctx: BridgeContext,
    parked: ParkedCall,
    call: BridgedCall,
    relayOf: (ctx: BridgeContext) => CallRelay,
  ): Promise<Json> {
    const event: ParkedCallEvent = await parked.wait(relayOf(ctx), ctx.mcpReq.signal);
    if (event.kind === "complete") {
      parked.finish();
      return event.result;
    }
    if (event.kind === "failed") {
      parked.finish();
      throw event.error;
    }
    parked.park(this.#parkTimeoutMs);
    const sealed: SealedState = {
      call: parked.id,
      round: parked.round,
      keys: Object.keys(event.inputRequests),
      replica: this.#replicaId,
      method: call.method,
      digest: digestOf(call.method, call.params),
      expires: Date.now() + this.#parkTimeoutMs,
    };
    const requestState = await this.#codec.mint(sealed, ctx as ServerContext);
    return { resultType: "input_required", inputRequests: event.inputRequests, requestState };
  }
}
