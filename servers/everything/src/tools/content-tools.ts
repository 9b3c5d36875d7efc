import { fromJsonSchema, type McpServer } from "@modelcontextprotocol/server";
import { EMBEDDED_RESOURCE_TEXT, PNG_PIXEL_BASE64, SILENT_WAV_BASE64, textResult } from "../fixtures.js";

/** The input schema `json-schema-2020-12` expects to find unchanged in the listing (SEP-1613, SEP-2106). */
const JSON_SCHEMA_2020_12_INPUT = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  $defs: {
    address: {
      $anchor: "addressDef",
      type: "object",
      properties: { street: { type: "string" }, city: { type: "string" } },
    },
  },
  properties: {
    name: { type: "string" },
    address: { $ref: "#/$defs/address" },
    contactMethod: { type: "string", enum: ["phone", "email"] },
    phone: { type: "string" },
    email: { type: "string" },
  },
  allOf: [{ anyOf: [{ required: ["phone"] }, { required: ["email"] }] }],
  if: { properties: { contactMethod: { const: "phone" } }, required: ["contactMethod"] },
  // biome-ignore lint/suspicious/noThenProperty: `then` is a JSON Schema keyword; this object is never awaited.
  then: { required: ["phone"] },
  else: { required: ["email"] },
  additionalProperties: false,
} as const;

/** A tool whose `region` argument is mirrored into the `Mcp-Param-Region` header (SEP-2243). */
const CUSTOM_HEADER_INPUT = {
  type: "object",
  properties: {
    region: { type: "string", description: "Where to run", "x-mcp-header": "Region" },
    message: { type: "string", description: "Any text" },
  },
  required: ["region"],
} as const;

/**
 * Registers the schema-focused tools. They go first in the listing because the suite looks for
 * them on the first page of `tools/list` only.
 */
export function registerSchemaTools(server: McpServer): void {
  server.registerTool(
    "json_schema_2020_12_tool",
    {
      description: "Tool with JSON Schema 2020-12 features",
      inputSchema: fromJsonSchema<Record<string, unknown>>(JSON_SCHEMA_2020_12_INPUT),
    },
    (args) => textResult(`json_schema_2020_12_tool called with ${JSON.stringify(args)}`),
  );

  server.registerTool(
    "test_custom_headers",
    {
      description: "Its region argument travels in the Mcp-Param-Region header too (SEP-2243)",
      inputSchema: fromJsonSchema<{ region: string; message?: string }>(CUSTOM_HEADER_INPUT),
    },
    ({ region }) => textResult(`region: ${region}`),
  );
}

/** Registers the conformance tools that return fixed content of every kind. */
export function registerContentTools(server: McpServer): void {
  server.registerTool("test_simple_text", { description: "Returns one text block" }, () =>
    textResult("This is a simple text response for testing."),
  );

  server.registerTool("test_image_content", { description: "Returns one PNG image block" }, () => ({
    content: [{ type: "image", data: PNG_PIXEL_BASE64, mimeType: "image/png" }],
  }));

  server.registerTool("test_audio_content", { description: "Returns one WAV audio block" }, () => ({
    content: [{ type: "audio", data: SILENT_WAV_BASE64, mimeType: "audio/wav" }],
  }));

  server.registerTool(
    "test_embedded_resource",
    { description: "Returns one embedded text resource" },
    () => ({
      content: [
        {
          type: "resource",
          resource: { uri: "test://embedded-resource", mimeType: "text/plain", text: EMBEDDED_RESOURCE_TEXT },
        },
      ],
    }),
  );

  server.registerTool(
    "test_multiple_content_types",
    { description: "Returns text, an image and an embedded resource together" },
    () => ({
      content: [
        { type: "text", text: "Multiple content types test:" },
        { type: "image", data: PNG_PIXEL_BASE64, mimeType: "image/png" },
        {
          type: "resource",
          resource: {
            uri: "test://mixed-content-resource",
            mimeType: "application/json",
            text: JSON.stringify({ test: "data", value: 123 }),
          },
        },
      ],
    }),
  );

  server.registerTool("test_error_handling", { description: "Always fails with isError: true" }, () => {
    // A thrown error becomes an `isError` result, which is what the suite expects.
    throw new Error("This tool intentionally returns an error for testing");
  });
}
