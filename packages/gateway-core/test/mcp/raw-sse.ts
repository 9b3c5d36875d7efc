/** One server-sent event, or a comment line (`event` "comment"). */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** A raw HTTP+SSE stream: its events in order, for wire-level assertions. */
export interface RawSseStream {
  readonly status: number;
  /** The next event or comment; rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<SseEvent>;
  /** The next `message` event's JSON. */
  nextMessage(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Opens `url` with fetch and parses its event stream by hand. */
export async function openRawSse(url: string, headers: Record<string, string>): Promise<RawSseStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { accept: "text/event-stream", ...headers },
    signal: abort.signal,
  });
  const queue: SseEvent[] = [];
  const waiters: ((event: SseEvent) => void)[] = [];
  const push = (event: SseEvent) => {
    const waiter = waiters.shift();
    if (waiter) waiter(event);
    else queue.push(event);
  };
  if (response.ok && response.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end = buffer.indexOf("\n\n");
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (block.startsWith(":")) push({ event: "comment", data: block.slice(1).trim() });
            else {
              const field = (name: string) =>
                block
                  .split("\n")
                  .filter((line) => line.startsWith(`${name}:`))
                  .map((line) => line.slice(name.length + 1).trimStart())
                  .join("\n");
              push({ event: field("event") || "message", data: field("data") });
            }
            end = buffer.indexOf("\n\n");
          }
        }
      } catch {
        // Aborted by close().
      }
    })();
  } else {
    await response.body?.cancel();
  }
  const next = (timeoutMs = 5000) =>
    new Promise<SseEvent>((resolve, reject) => {
      const queued = queue.shift();
      if (queued) return resolve(queued);
      const timer = setTimeout(() => reject(new Error("no SSE event in time")), timeoutMs);
      waiters.push((event) => {
        clearTimeout(timer);
        resolve(event);
      });
    });
  return {
    status: response.status,
    next,
    async nextMessage() {
      for (;;) {
        const event = await next();
        if (event.event === "message") return JSON.parse(event.data) as Record<string, unknown>;
      }
    },
    async close() {
      abort.abort();
    },
  };
}
