import { setTimeout as sleep } from "node:timers/promises";
import { Agent } from "undici";
import { createSession, type Endpoint } from "../client/endpoint.js";

/**
 * The name under which `endpoint` exposes the sample server's `echo` tool: `echo` itself, or a
 * prefixed form (`everything-echo` on the gateway, `everything__echo` on mcp-hub). Retries for
 * up to `timeoutMs`, since an aggregator may connect its upstream after it starts listening.
 */
export async function resolveToolName(endpoint: Endpoint, tool: string, timeoutMs = 20_000): Promise<string> {
  const dispatcher = new Agent({ headersTimeout: 10_000, bodyTimeout: 0 });
  const deadline = Date.now() + timeoutMs;
  let last = "no tools listed";
  try {
    while (Date.now() < deadline) {
      const session = createSession(endpoint, dispatcher);
      try {
        await session.open();
        const names: string[] = [];
        let cursor: string | undefined;
        do {
          const page = (await session.request("tools/list", cursor === undefined ? {} : { cursor })) as {
            tools?: { name: string }[];
            nextCursor?: string;
          };
          names.push(...(page.tools ?? []).map((t) => t.name));
          cursor = page.nextCursor;
        } while (cursor !== undefined && names.length < 100_000);
        const found = names
          .filter((name) => name === tool || new RegExp(`(^|[-_.])${tool}$`).test(name))
          .sort((a, b) => a.length - b.length)[0];
        if (found !== undefined) return found;
        last = `no ${tool} among ${names.length} tools`;
      } catch (error) {
        last = (error as Error).message;
      } finally {
        await session.close();
      }
      await sleep(250);
    }
  } finally {
    await dispatcher.destroy();
  }
  throw new Error(`could not find the ${tool} tool: ${last}`);
}
