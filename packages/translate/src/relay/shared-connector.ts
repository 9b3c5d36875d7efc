import { createHash } from "node:crypto";
import type { StdioServerSpec, StdioSupervisor } from "@contextforge/mcp-transport";
import type { TranslateLogger } from "../logger.js";
import type { ChildChannel, ChildConnector, ChildContext, SessionSink } from "./child-channel.js";
import { withEnv } from "./dedicated-connector.js";
import { SharedChild } from "./shared-child.js";

/** Options of {@link SharedConnector}. */
export interface SharedConnectorOptions {
  readonly supervisor: StdioSupervisor;
  readonly spec: StdioServerSpec;
  /** Sessions are single stateless requests (see {@link SharedChild}). */
  readonly stateless: boolean;
  /** A child no session has used for this long is stopped; 0: never. */
  readonly idleTimeoutMs: number;
  readonly log: TranslateLogger;
}

interface Entry {
  readonly child: SharedChild;
  idleTimer: NodeJS.Timeout | undefined;
}

/**
 * Shared children (`--shared`, `--stateless`): one {@link SharedChild} per distinct context, that
 * is per set of `--header-to-env` values (and, stateless, per protocol era, since a stdio server
 * serves one era). A new set of values starts a new child, without restarting the others; a child
 * no session has used for `idleTimeoutMs` is stopped. Without `--header-to-env` there is one child.
 */
export class SharedConnector implements ChildConnector {
  readonly #options: SharedConnectorOptions;
  readonly #children = new Map<string, Entry>();

  constructor(options: SharedConnectorOptions) {
    this.#options = options;
  }

  async open(sessionId: string, sink: SessionSink, context: ChildContext): Promise<ChildChannel> {
    const key = contextKey(context);
    let entry = this.#children.get(key);
    if (!entry) {
      const created: Entry = {
        child: new SharedChild({
          supervisor: this.#options.supervisor,
          spec:
            Object.keys(context.env).length === 0
              ? this.#options.spec
              : withEnv(this.#options.spec, context.env),
          key,
          stateless: this.#options.stateless,
          implicitInitialize: this.#options.stateless && context.era === "legacy",
          onSessionCount: (count) => this.#sessionsChanged(key, created, count),
        }),
        idleTimer: undefined,
      };
      entry = created;
      this.#children.set(key, entry);
    }
    clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    try {
      return await entry.child.open(sessionId, sink);
    } catch (error) {
      if (entry.child.sessionCount === 0) this.#stop(key, entry);
      throw error;
    }
  }

  close(): void {
    for (const [key, entry] of [...this.#children]) this.#stop(key, entry);
  }

  #sessionsChanged(key: string, entry: Entry, count: number): void {
    const { idleTimeoutMs, log } = this.#options;
    clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    if (count > 0 || idleTimeoutMs <= 0 || this.#children.get(key) !== entry) return;
    entry.idleTimer = setTimeout(() => {
      if (entry.child.sessionCount > 0) return;
      log("info", `stopping a shared stdio server unused for ${idleTimeoutMs} ms`);
      this.#stop(key, entry);
    }, idleTimeoutMs);
    entry.idleTimer.unref();
  }

  #stop(key: string, entry: Entry): void {
    clearTimeout(entry.idleTimer);
    if (this.#children.get(key) === entry) this.#children.delete(key);
    entry.child.close();
  }
}

/**
 * The supervisor key of a context: `shared` without variables in the 2025 era, else a digest, so
 * no header value ever appears in a key, a log line or a process listing.
 */
function contextKey(context: ChildContext): string {
  const names = Object.keys(context.env).sort();
  if (names.length === 0 && context.era === "legacy") return "shared";
  const digest = createHash("sha256")
    .update(JSON.stringify([context.era, names.map((name) => [name, context.env[name]])]))
    .digest("hex")
    .slice(0, 24);
  return `shared-${context.era}-${digest}`;
}
