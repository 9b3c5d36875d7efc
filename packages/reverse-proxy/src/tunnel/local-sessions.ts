import { setTimeout as sleep } from "node:timers/promises";
import type { ChildExit, ResolvedBackoff, TunnelFrame } from "@contextforge/mcp-transport";
import { backoffDelay, StdioChild } from "@contextforge/mcp-transport";
import type { ReverseProxyLogger } from "../logger.js";
import { PendingRequests } from "./pending-requests.js";

/** How to start the local stdio server. */
export interface LocalServerSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** The collaborators of {@link LocalSessions}. */
export interface LocalSessionsOptions {
  readonly spec: LocalServerSpec;
  /** Sends a frame to the gateway (dropped while the tunnel is down). */
  readonly send: (frame: TunnelFrame) => void;
  readonly logger: ReverseProxyLogger;
  /** Delays between restarts of a local server that keeps exiting on its own. */
  readonly restartBackoff: ResolvedBackoff;
}

/** A local process and the session it serves (none while it waits as the spare). */
interface LocalProcess {
  readonly child: StdioChild;
  readonly startedAt: number;
  /** The gateway's requests in the current session that the process has not answered. */
  readonly pending: PendingRequests;
  session: string | undefined;
  /** Set when this side stops the process: its exit is then expected. */
  stopping: boolean;
}

/**
 * The gateway's MCP sessions with the local server, one at a time, each in a fresh process (a
 * stdio server serves the one session that initialized it). A spare process is kept started, so
 * a bad command shows at startup and a session opens without waiting for a spawn. Frames are
 * handled strictly in order, so messages of a session never overtake its `open`.
 *
 * The local server is supervised: when a process exits on its own, its session's unanswered
 * requests get JSON-RPC errors, the session is reported `closed`, and a new spare is started after
 * a backoff that grows while processes keep exiting (or failing to start).
 */
export class LocalSessions {
  readonly #spec: LocalServerSpec;
  readonly #send: (frame: TunnelFrame) => void;
  readonly #logger: ReverseProxyLogger;
  readonly #backoff: ResolvedBackoff;
  readonly #stopped = new AbortController();
  #current: LocalProcess | undefined;
  #spare: Promise<LocalProcess> | undefined;
  #queue: Promise<void> = Promise.resolve();
  /** Unexpected exits (and failed restarts) in a row. */
  #failures = 0;
  #closed = false;

  constructor(options: LocalSessionsOptions) {
    this.#spec = options.spec;
    this.#send = options.send;
    this.#logger = options.logger;
    this.#backoff = options.restartBackoff;
  }

  /** Starts the spare process; rejects when the command cannot be started. */
  async prepare(): Promise<void> {
    this.#spare ??= this.#start();
    await this.#spare;
  }

  /** Handles one frame from the gateway (`open`, `close`, `message`). */
  handle(frame: TunnelFrame): Promise<void> {
    this.#queue = this.#queue
      .then(() => this.#handle(frame))
      .catch((error: unknown) => {
        this.#logger("warn", `local server: ${(error as Error).message}`);
      });
    return this.#queue;
  }

  /** Ends the current session (the tunnel dropped); the spare stays. */
  endAll(): Promise<void> {
    this.#queue = this.#queue.then(() => this.#endCurrent());
    return this.#queue;
  }

  /** Stops every process, and any pending restart. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stopped.abort();
    await this.endAll();
    const spare = await this.#spare?.catch(() => undefined);
    this.#spare = undefined;
    if (spare === undefined) return;
    spare.stopping = true;
    await spare.child.close();
  }

  async #handle(frame: TunnelFrame): Promise<void> {
    if (frame.type === "open") {
      await this.#endCurrent();
      // Taken before waiting, so that a spare dying meanwhile is replaced, not lost.
      const spare = this.#spare ?? this.#restart();
      this.#spare = undefined;
      const next = await spare;
      if (!next.child.running) {
        this.#send({ type: "closed", session: frame.session });
        return;
      }
      next.session = frame.session;
      this.#current = next;
      this.#logger("debug", `session ${frame.session} opened (pid ${next.child.pid})`);
    } else if (frame.type === "close") {
      if (this.#current?.session === frame.session) await this.#endCurrent();
    } else if (frame.type === "message") {
      const current = this.#current;
      if (current?.session !== frame.session) return;
      current.pending.sent(frame.message);
      if (!current.child.send(frame.message)) this.#send({ type: "closed", session: frame.session });
    }
  }

  async #endCurrent(): Promise<void> {
    const current = this.#current;
    this.#current = undefined;
    if (current === undefined) return;
    current.session = undefined;
    current.stopping = true;
    await current.child.close();
    // A process that served its session until the gateway ended it ends a run of failures.
    this.#failures = 0;
    // The next session gets a fresh process, started now.
    if (!this.#closed && this.#spare === undefined) this.#respawn();
  }

  /** Starts a new spare in the background, after the backoff the failures so far call for. */
  #respawn(): void {
    this.#spare = this.#restart();
    this.#spare.catch(() => {});
  }

  /** Starts a process after the current backoff, retrying failed starts; rejects once closed. */
  async #restart(): Promise<LocalProcess> {
    for (;;) {
      const delay = backoffDelay(this.#backoff, this.#failures);
      if (delay > 0) {
        this.#logger("info", `restarting the local server in ${(delay / 1000).toFixed(1)} s`);
        await sleep(delay, undefined, { signal: this.#stopped.signal });
      }
      this.#stopped.signal.throwIfAborted();
      try {
        return await this.#start();
      } catch (error) {
        this.#failures += 1;
        this.#logger("warn", `cannot restart the local server: ${(error as Error).message}`);
      }
    }
  }

  async #start(): Promise<LocalProcess> {
    const holder: { process?: LocalProcess } = {};
    const child = await StdioChild.start({
      command: this.#spec.command,
      args: this.#spec.args,
      env: this.#spec.env,
      onLine: (line) => {
        const local = holder.process;
        if (!line.ok) {
          this.#logger("warn", `local server wrote a line that is not JSON: ${line.error}`);
        } else if (local?.session !== undefined) {
          local.pending.received(line.message);
          this.#send({ type: "message", session: local.session, message: line.message });
        }
      },
      onStderr: (text) => this.#logger("debug", `local server stderr: ${text.trimEnd()}`),
    });
    const local: LocalProcess = {
      child,
      startedAt: Date.now(),
      pending: new PendingRequests(),
      session: undefined,
      stopping: false,
    };
    holder.process = local;
    void child.exited.then((exit) => this.#exited(local, exit));
    return local;
  }

  /** A process exited: on its own unless this side stopped it. */
  #exited(local: LocalProcess, exit: ChildExit): void {
    if (local.stopping || this.#closed) return;
    if (Date.now() - local.startedAt >= this.#backoff.resetAfterMs) this.#failures = 0;
    this.#failures += 1;
    const how = `code ${exit.code}, signal ${exit.signal}`;
    const session = local.session;
    if (session === undefined) {
      // The spare (or a process an `open` was about to take, which then reports `closed`).
      this.#logger("warn", `the local server exited while idle (${how})`);
      const spare = this.#spare;
      if (spare === undefined) this.#respawn();
      else {
        // Replace the spare only if it is the process that died.
        this.#spare = spare.then((next) => (next === local ? this.#restart() : next));
        this.#spare.catch(() => {});
      }
      return;
    }
    this.#logger("warn", `local server exited (${how}) during session ${session}`);
    local.session = undefined;
    for (const message of local.pending.fail()) this.#send({ type: "message", session, message });
    this.#send({ type: "closed", session });
    if (this.#current === local) this.#current = undefined;
    if (this.#spare === undefined) this.#respawn();
  }
}
