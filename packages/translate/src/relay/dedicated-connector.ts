import type { StdioServerSpec, StdioSupervisor } from "@contextforge/mcp-transport";
import type { ChildChannel, ChildConnector, ChildContext, SessionSink } from "./child-channel.js";
import type { JsonRpcMessage } from "./json-rpc.js";
import { isJsonRpcMessage } from "./json-rpc.js";
import { RequestTracker } from "./request-tracker.js";

/** `spec` with `env` added to its environment. */
export function withEnv(spec: StdioServerSpec, env: Readonly<Record<string, string>>): StdioServerSpec {
  return { ...spec, env: { ...spec.env, ...env } };
}

/**
 * A child process per downstream session (the default): the supervisor key is the session id, so
 * a stateful server keeps one client's state, and messages pass through unchanged. The child runs
 * with the session's `--header-to-env` variables.
 */
export class DedicatedConnector implements ChildConnector {
  readonly #supervisor: StdioSupervisor;
  readonly #spec: StdioServerSpec;

  constructor(supervisor: StdioSupervisor, spec: StdioServerSpec) {
    this.#supervisor = supervisor;
    this.#spec = spec;
  }

  async open(sessionId: string, sink: SessionSink, context: ChildContext): Promise<ChildChannel> {
    const spec = Object.keys(context.env).length === 0 ? this.#spec : withEnv(this.#spec, context.env);
    const lease = await this.#supervisor.acquire(spec, sessionId);
    const tracker = new RequestTracker();
    lease.child.onMessage((message) => {
      if (isJsonRpcMessage(message)) sink.deliver(message, tracker.fromChild(message));
    });
    lease.child.onExit((exit) => {
      if (!lease.released) sink.lost(`the stdio server exited (code ${exit.code}, signal ${exit.signal})`);
    });
    return {
      pid: lease.child.pid,
      get pendingRequests(): number {
        return tracker.size;
      },
      send(message: JsonRpcMessage): void {
        tracker.fromClient(message);
        lease.child.send(message);
      },
      close: () => lease.release(),
    };
  }

  close(): void {}
}
