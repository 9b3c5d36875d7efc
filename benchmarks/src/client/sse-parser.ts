/** One server-sent event: its `event` name (default `message`) and its joined `data` lines. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * An incremental `text/event-stream` parser (the WHATWG rules the MCP transports use): feed it
 * chunks as they arrive, it returns the events completed so far. Comments (`: keepalive`) and
 * `id`/`retry` fields are skipped: the load generator never resumes a stream.
 */
export class SseParser {
  #buffer = "";
  #event = "";
  #data: string[] = [];

  /** Adds a chunk; returns the events it completed. */
  push(chunk: string): SseEvent[] {
    this.#buffer += chunk;
    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const end = this.#buffer.indexOf("\n", start);
      if (end === -1) break;
      let line = this.#buffer.slice(start, end);
      start = end + 1;
      if (line.endsWith("\r")) line = line.slice(0, -1);
      const event = this.#line(line);
      if (event !== undefined) events.push(event);
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  #line(line: string): SseEvent | undefined {
    if (line === "") {
      if (this.#data.length === 0) {
        this.#event = "";
        return undefined;
      }
      const event = { event: this.#event || "message", data: this.#data.join("\n") };
      this.#event = "";
      this.#data = [];
      return event;
    }
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.#data.push(value);
    else if (field === "event") this.#event = value;
    return undefined;
  }
}

/** Parses a whole `text/event-stream` body (a streamable HTTP POST answer). */
export function parseSseBody(body: string): SseEvent[] {
  const parser = new SseParser();
  return parser.push(body.endsWith("\n\n") ? body : `${body}\n\n`);
}
