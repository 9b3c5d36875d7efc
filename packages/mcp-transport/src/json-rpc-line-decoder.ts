/** One decoded line: a parsed JSON value, or why the line could not be parsed. */
export type DecodedLine =
  | { readonly ok: true; readonly message: unknown }
  | { readonly ok: false; readonly error: string; readonly line: string };

/** Options of {@link JsonRpcLineDecoder}. */
export interface JsonRpcLineDecoderOptions {
  /** A line longer than this (in UTF-16 code units) is dropped and reported. Default 16 MiB. */
  readonly maxLineLength?: number;
}

const DEFAULT_MAX_LINE_LENGTH = 16 * 1024 * 1024;

/**
 * Splits a byte stream into newline-delimited JSON messages, as the MCP stdio transport frames
 * them. Chunks may end mid-line or mid-character; empty lines and a trailing `\r` are ignored.
 * A malformed or over-long line is reported and skipped, so one bad line never stalls the stream.
 */
export class JsonRpcLineDecoder {
  readonly #decoder = new TextDecoder("utf-8");
  readonly #maxLineLength: number;
  #buffer = "";
  #discarding = false;

  constructor(options: JsonRpcLineDecoderOptions = {}) {
    this.#maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  }

  /** Feeds a chunk; returns every line it completed. */
  push(chunk: Uint8Array | string): DecodedLine[] {
    this.#buffer += typeof chunk === "string" ? chunk : this.#decoder.decode(chunk, { stream: true });
    const out: DecodedLine[] = [];
    let newline = this.#buffer.indexOf("\n");
    while (newline !== -1) {
      const line = this.#buffer.slice(0, newline);
      this.#buffer = this.#buffer.slice(newline + 1);
      if (this.#discarding) {
        this.#discarding = false;
      } else {
        const decoded = this.#decodeLine(line);
        if (decoded) out.push(decoded);
      }
      newline = this.#buffer.indexOf("\n");
    }
    if (this.#buffer.length > this.#maxLineLength) {
      out.push({
        ok: false,
        error: `line longer than ${this.#maxLineLength} characters`,
        line: this.#buffer.slice(0, 200),
      });
      this.#buffer = "";
      this.#discarding = true;
    }
    return out;
  }

  /** Ends the stream: a last line without a newline is decoded too. */
  end(): DecodedLine[] {
    const rest = this.#buffer + this.#decoder.decode();
    this.#buffer = "";
    if (this.#discarding) {
      this.#discarding = false;
      return [];
    }
    const decoded = this.#decodeLine(rest);
    return decoded ? [decoded] : [];
  }

  #decodeLine(raw: string): DecodedLine | undefined {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") return undefined;
    try {
      return { ok: true, message: JSON.parse(line) };
    } catch (error) {
      return { ok: false, error: (error as Error).message, line: line.slice(0, 200) };
    }
  }
}

/** Frames one message for a stdio stream: compact JSON and a newline. */
export function encodeJsonRpcLine(message: unknown): string {
  return `${JSON.stringify(message)}\n`;
}
