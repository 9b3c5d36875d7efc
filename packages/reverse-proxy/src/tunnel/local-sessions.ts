import type { TunnelFrame } from "@contextforge/mcp-transport";
import { StdioChild } from "@contextforge/mcp-transport";
import type { ReverseProxyLogger } from "../logger.js";

/** How to start the local stdio server. */
export interface LocalServerSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** A local process and the session it serves (none while it waits as the spare). */
interface LocalProcess {
  readonly child: StdioChild;
  session: string | undefined;
}

/**
 * The gateway's MCP sessions with the local server, one at a time, each in a fresh process (a
 * stdio server serves the one session that initialized it). A spare process is kept started, so
 * a bad command shows at startup and a session opens without waiting for a spawn. Frames are
 * handled strictly in order, so messages of a session never overtake its `open`.
 */
export class LocalSessions {
  readonly #spec: LocalServerSpec;
  readonly #send: (frame: TunnelFrame) => void;
  readonly #logger: ReverseProxyLogger;
  #current: LocalProcess | undefined;
  #spare: Promise<LocalProcess> | undefined;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(spec: LocalServerSpec, send: (frame: TunnelFrame) => void, logger: ReverseProxyLogger) {
    this.#spec = spec;
    this.#send = send;
    this.#logger = logger;
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

  /** Stops every process. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.endAll();
    const spare = await this.#spare?.catch(() => undefined);
    this.#spare = undefined;
    await spare?.child.close();
  }

  async #handle(frame: TunnelFrame): Promise<void> {
    if (frame.type === "open") {
      await this.#endCurrent();
      const next = await (this.#spare ?? this.#start()).catch((error: unknown) => {
        this.#spare = undefined;
        throw error;
      });
      this.#spare = undefined;
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
      if (current?.session === frame.session && !current.child.send(frame.message))
        this.#send({ type: "closed", session: frame.session });
    }
  }

  async #endCurrent(): Promise<void> {
    const current = this.#current;
    this.#current = undefined;
    if (current === undefined) return;
    current.session = undefined;
    await current.child.close();
    // The next session gets a fresh process, started now.
    if (!this.#closed && this.#spare === undefined) {
      this.#spare = this.#start();
      this.#spare.catch(() => {});
    }
  }

  async #start(): Promise<LocalProcess> {
    const holder: { process?: LocalProcess } = {};
    const child = await StdioChild.start({
      command: this.#spec.command,
      args: this.#spec.args,
      env: this.#spec.env,
      onLine: (line) => {
        const session = holder.process?.session;
        if (!line.ok) this.#logger("warn", `local server wrote a line that is not JSON: ${line.error}`);
        else if (session !== undefined) this.#send({ type: "message", session, message: line.message });
      },
      onStderr: (text) => this.#logger("debug", `local server stderr: ${text.trimEnd()}`),
    });
    const process_: LocalProcess = { child, session: undefined };
    holder.process = process_;
    void child.exited.then((exit) => {
      const session = process_.session;
      if (session === undefined) return;
      this.#logger(
        "warn",
        `local server exited (code ${exit.code}, signal ${exit.signal}) during session ${session}`,
      );
      process_.session = undefined;
      if (this.#current === process_) this.#current = undefined;
      this.#send({ type: "closed", session });
    });
    return process_;
  }
}
