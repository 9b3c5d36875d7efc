import {
  type JSONRPCRequest,
  ProtocolError,
  type Result,
  Server,
  type ServerContext,
} from "@modelcontextprotocol/server";

type Json = Record<string, unknown>;

/** A request handler as the gateway registers it: the params the SDK validated, and its context. */
export type GatewayRequestHandler<Ctx extends object = ServerContext> = (
  request: { params?: Json },
  ctx: Ctx,
) => Promise<Json>;

type WireHandler = (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>;

/**
 * How deep request params may nest. JSON.parse copes with any depth, but the recursive code after
 * it (schema validation, serialization towards the upstream) overflows the stack somewhere past a
 * few thousand levels; real tool arguments stay far below this.
 */
export const MAX_PARAMS_DEPTH = 128;

/** Whether `value` nests objects or arrays deeper than `limit` (iterative: no recursion to overflow). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [current, depth] = next;
    if (typeof current !== "object" || current === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === "object" && child !== null) pending.push([child, depth + 1]);
    }
  }
  return false;
}

/** The issues of a zod error message (a JSON array), as `path: message`; undefined otherwise. */
function schemaIssues(error: unknown): string | undefined {
  if (!(error instanceof Error) || error instanceof ProtocolError) return undefined;
  let issues: unknown;
  try {
    issues = JSON.parse(error.message);
  } catch {
    return undefined;
  }
  if (!Array.isArray(issues) || issues.length === 0) return undefined;
  const described = issues.map((issue: { path?: unknown; message?: unknown }) =>
    Array.isArray(issue?.path) && typeof issue.message === "string"
      ? `${issue.path.join(".")}: ${issue.message}`
      : undefined,
  );
  return described.every((text) => text !== undefined) ? described.join("; ") : undefined;
}

/**
 * The SDK's low-level server, with one correction: the SDK checks a spec method's request
 * against its schema before the handler runs, but answers a mismatch (a `cursor` that is a
 * number, a tool `name` that is an object) with -32603 and the raw zod dump. JSON-RPC calls that
 * -32602 (invalid params); this server answers so, with a one-line summary. Params nested deeper
 * than {@link MAX_PARAMS_DEPTH} are refused with -32602 before any handler sees them.
 */
export class GatewaySdkServer extends Server {
  // Contexts of requests that reached a gateway handler: their errors are the handler's own.
  readonly #entered = new WeakSet<object>();

  /** Registers the handler of a spec request method (`Ctx`: the part of the context it reads). */
  handle<Ctx extends object>(method: string, handler: GatewayRequestHandler<Ctx>): void {
    const entered = (request: { params?: Json }, ctx: Ctx): Promise<Json> => {
      this.#entered.add(ctx);
      if (nestsDeeperThan(request.params, MAX_PARAMS_DEPTH)) {
        throw new ProtocolError(
          -32602,
          `Invalid params for ${method}: nested deeper than ${MAX_PARAMS_DEPTH} levels`,
        );
      }
      return handler(request, ctx);
    };
    (this.setRequestHandler as unknown as (method: string, handler: GatewayRequestHandler<Ctx>) => void)(
      method,
      entered,
    );
  }

  protected override _wrapHandler(method: string, handler: WireHandler): WireHandler {
    return super._wrapHandler(method, async (request, ctx) => {
      try {
        return await handler(request, ctx);
      } catch (error) {
        const issues = this.#entered.has(ctx) ? undefined : schemaIssues(error);
        if (issues === undefined) throw error;
        throw new ProtocolError(-32602, `Invalid params for ${method}: ${issues}`);
      }
    });
  }
}
