import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { messageToJson } from "./proto-json.js";
import { isJsonObjectMessage, messageJsonSchema } from "./proto-json-schema.js";

// The JSON descriptor format protobufjs reads (its INamespace type does not declare map fields).
const descriptor = {
  nested: {
    Node: {
      fields: {
        label: { type: "string", id: 1 },
        next: { type: "Node", id: 2 },
        byId: { keyType: "int64", type: "Node", id: 3 },
        flags: { keyType: "bool", type: "bool", id: 4 },
        note: { type: "string", id: 5, options: { proto3_optional: true } },
        count: { type: "uint32", id: 6 },
      },
      oneofs: { _note: { oneof: ["note"] } },
    },
    Pair: { fields: { left: { type: "Node", id: 1 }, right: { type: "Node", id: 2 } } },
  },
} as protobuf.INamespace;
const root = protobuf.Root.fromJSON(descriptor);
const node = root.lookupType("Node");

describe("messageJsonSchema", () => {
  it("references a recursive message from $defs instead of inlining it forever", () => {
    const schema = messageJsonSchema(node, "input");
    expect(schema).toMatchObject({
      type: "object",
      properties: {
        label: { type: "string" },
        next: { $ref: "#/$defs/Node" },
        byId: {
          type: "object",
          propertyNames: { pattern: "^-?[0-9]+$" },
          additionalProperties: { $ref: "#/$defs/Node" },
        },
        flags: {
          type: "object",
          propertyNames: { enum: ["true", "false"] },
          additionalProperties: { type: "boolean" },
        },
        count: { type: "integer", minimum: 0, maximum: 4_294_967_295 },
      },
      $defs: { Node: { type: "object", properties: { next: { $ref: "#/$defs/Node" } } } },
    });
    // A proto3 `optional` field is not presented as a oneof.
    expect((schema.properties as Record<string, object>).note).toEqual({ type: "string" });
  });

  it("inlines a message used twice but not recursively", () => {
    const pair = messageJsonSchema(root.lookupType("Pair"), "output");
    const { left, right } = pair.properties as Record<string, Record<string, unknown>>;
    expect(left).toEqual(right);
    expect(left?.type).toBe("object");
  });

  it("knows which well-known types are not JSON objects", () => {
    const wkt = protobuf.Root.fromJSON(protobuf.common.get("google/protobuf/timestamp.proto") ?? {});
    expect(isJsonObjectMessage(wkt.lookupType("google.protobuf.Timestamp"))).toBe(false);
    expect(messageJsonSchema(wkt.lookupType("google.protobuf.Timestamp"), "input")).toEqual({
      type: "string",
      format: "date-time",
    });
    expect(isJsonObjectMessage(node)).toBe(true);
  });
});

describe("messageToJson", () => {
  it("prints fields without presence at their defaults, and leaves unset optional ones out", () => {
    const json = messageToJson(node, node.fromObject({ next: { label: "b" } }));
    expect(json).toEqual({
      label: "",
      next: { label: "b", byId: {}, flags: {}, count: 0 },
      byId: {},
      flags: {},
      count: 0,
    });
  });
});
