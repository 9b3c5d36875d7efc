/** One dispatched Server-Sent Event. `id` is set only when the event carried an `id` field. */
export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string | undefined;
  readonly data: string;
}

/** Where {@link SseEventParser} delivers what it reads. */
export interface SseEventHandlers {
  onEvent(event: SseEvent): void;
  /** A valid `retry` field: the reconnection delay the server asks for, in milliseconds. */
  onRetry?(ms: number): void;
}

const DIGITS = /^\d+$/;

/**
 * An incremental parser for the `text/event-stream` format (WHATWG HTML, "Server-sent events"):
 * feed it decoded text in chunks of any size; lines may end in CRLF, LF or CR and may be split
 * across chunks. Multi-line `data` is joined with LF, comments are skipped, an `id` holding NUL is
 * ignored, and an event not ended by a blank line when the stream ends is never dispatched (as in
 * the spec). It works on strings over a Node stream, where the SDK's transport pipes web streams
 * through `TextDecoderStream` and `EventSourceParserStream`, which costs far more per event.
 */
export class SseEventParser {
  readonly #handlers: SseEventHandlers;
  /** The unterminated tail of the previous chunk. */
  #pending = "";
  /** The previous chunk ended in CR: an LF opening the next one belongs to that line break. */
  #skipLeadingLf = false;
  #first = true;
  #data: string | undefined;
  #event: string | undefined;
  #id: string | undefined;

  constructor(handlers: SseEventHandlers) {
    this.#handlers = handlers;
  }

  /** Parses the next piece of the stream. */
  feed(chunk: string): void {
    let text = this.#pending === "" ? chunk : this.#pending + chunk;
    this.#pending = "";
    if (this.#first && text.length > 0) {
      this.#first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    if (this.#skipLeadingLf && text.charCodeAt(0) === 10) start = 1;
    this.#skipLeadingLf = false;
    const length = text.length;
    while (start < length) {
      const lf = text.indexOf("\n", start);
      const cr = text.indexOf("\r", start);
      let end: number;
      if (cr === -1 || (lf !== -1 && lf < cr)) end = lf;
      else end = cr;
      if (end === -1) break;
      this.#line(text, start, end);
      if (end === cr) {
        if (end + 1 === length) {
          this.#skipLeadingLf = true;
          start = length;
          break;
        }
        start = text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
      } else start = end + 1;
    }
    if (start < length) this.#pending = text.slice(start);
  }

  #line(text: string, start: number, end: number): void {
    if (start === end) {
      this.#dispatch();
      return;
    }
    if (text.charCodeAt(start) === 58) return; // ':' opens a comment
    const colon = text.indexOf(":", start);
    let field: string;
    let value: string;
    if (colon === -1 || colon > end) {
      field = text.slice(start, end);
      value = "";
    } else {
      field = text.slice(start, colon);
      const valueStart = text.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1;
      value = valueStart >= end ? "" : text.slice(valueStart, end);
    }
    switch (field) {
      case "data":
        this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`;
        break;
      case "event":
        this.#event = value;
        break;
      case "id":
        if (!value.includes("\0")) this.#id = value;
        break;
      case "retry":
        if (DIGITS.test(value)) this.#handlers.onRetry?.(Number(value));
        break;
      default:
        break;
    }
  }

  #dispatch(): void {
    const data = this.#data;
    const event = this.#event;
    const id = this.#id;
    this.#data = undefined;
    this.#event = undefined;
    this.#id = undefined;
    if (data === undefined && id === undefined && event === undefined) return;
    this.#handlers.onEvent({ id, event: event === "" ? undefined : event, data: data ?? "" });
  }
}
