import type { CallToolResult } from "@modelcontextprotocol/server";
import { TimeInputError } from "../time/time-input-error.js";

/**
 * Runs `compute` and shapes its value as a tool result with both text and structured content. Bad
 * input becomes an `isError` result the model can read and correct; anything else is a bug and is
 * left to the SDK.
 */
export function toolResult(compute: () => Record<string, unknown>): CallToolResult {
  try {
    const value = compute();
    return { content: [{ type: "text", text: JSON.stringify(value, null, 2) }], structuredContent: value };
  } catch (error) {
    if (error instanceof TimeInputError) {
      return { content: [{ type: "text", text: error.message }], isError: true };
    }
    throw error;
  }
}
