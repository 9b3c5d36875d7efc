import { randomBytes } from "node:crypto";
import type { McpSession } from "../client/mcp-session.js";

/** What each call of a load run does. */
export type Workload =
  /** `tools/call` of an echo tool with a unique message of `payloadBytes`; the answer must match. */
  | { readonly kind: "echo"; readonly tool: string; readonly payloadBytes: number }
  /**
   * `tools/list`, following every `nextCursor` (or only the first page with `firstPageOnly`);
   * the answer must hold `expectedTools` tools.
   */
  | { readonly kind: "list"; readonly expectedTools: number; readonly firstPageOnly?: boolean };

/** A short label: `echo 256 B` or `tools/list (1000)`. */
export function workloadLabel(workload: Workload): string {
  return workload.kind === "echo"
    ? `tools/call echo ${workload.payloadBytes} B`
    : `tools/list ${workload.firstPageOnly === true ? "first page" : "all pages"} (${workload.expectedTools} tools)`;
}

let filler = "";

/** `tag`, padded to `bytes` with random text: unique as long as the tag is. */
export function payload(tag: string, bytes: number): string {
  if (filler.length < bytes) filler = randomBytes(Math.ceil((bytes * 3) / 4) + 16).toString("base64url");
  return tag.length + 1 >= bytes ? tag : `${tag}|${filler.slice(0, bytes - tag.length - 1)}`;
}

interface ToolResult {
  readonly isError?: boolean;
  readonly content?: readonly { readonly type?: string; readonly text?: string }[];
}

/** An answer that came back intact but is not the one asked for. */
export class MismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MismatchError";
  }
}

/**
 * Runs one call of `workload` on `session`. `tag` makes the echo message unique (worker, session
 * and call number), so an answer meant for another call or client is caught: it throws a
 * {@link MismatchError}. A tool error (`isError`) or a JSON-RPC error throws an ordinary error.
 */
export async function runCall(workload: Workload, session: McpSession, tag: string): Promise<void> {
  if (workload.kind === "echo") {
    const message = payload(tag, workload.payloadBytes);
    const result = (await session.request("tools/call", {
      name: workload.tool,
      arguments: { message },
    })) as ToolResult;
    const text = result?.content?.[0]?.text;
    if (result?.isError === true) throw new Error(`tool error: ${String(text).slice(0, 120)}`);
    if (text !== message) {
      const other = typeof text === "string" ? text.split("|")[0] : typeof text;
      throw new MismatchError(`asked ${tag}, answered ${other}`);
    }
    return;
  }
  let count = 0;
  let cursor: string | undefined;
  for (let page = 0; page < 1_000; page++) {
    const result = (await session.request("tools/list", cursor === undefined ? {} : { cursor })) as {
      tools?: unknown[];
      nextCursor?: string;
    };
    count += result?.tools?.length ?? 0;
    cursor = result?.nextCursor;
    if (cursor === undefined || workload.firstPageOnly === true) break;
  }
  if (count !== workload.expectedTools)
    throw new MismatchError(`listed ${count} tools, expected ${workload.expectedTools}`);
}
