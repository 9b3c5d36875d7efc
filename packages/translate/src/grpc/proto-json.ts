import type { Field, Message, Type } from "protobufjs";
import protobuf from "protobufjs";
import protojson from "protobufjs/ext/protojson.js";

const LONG_TYPES = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);

/**
 * Parses tool arguments into a message of `type` with the proto3 JSON mapping (lowerCamelCase or
 * .proto field names, int64 as string or number, enums by name or number, bytes in base64,
 * well-known types in their JSON forms). Throws on unknown fields and ill-typed values.
 */
export function messageFromJson(type: Type, json: unknown): Message {
  return protojson.fromJson(type, json);
}

/**
 * A response message in the proto3 JSON mapping, printing fields without presence even when they
 * hold their default (the mapping's `always_print_fields_with_no_presence` option): a caller sees
 * `0`, `""`, `[]` rather than a missing property. int64 values are strings, enums their names.
 */
export function messageToJson(type: Type, message: Message): unknown {
  return withDefaults(type, protojson.toJson(type, message));
}

function withDefaults(type: Type, json: unknown): unknown {
  // Well-known types have their own JSON forms, printed whole by protojson.
  if (type.fullName.startsWith(".google.protobuf.")) return json;
  if (typeof json !== "object" || json === null || Array.isArray(json)) return json;
  const object = json as Record<string, unknown>;
  for (const field of type.fieldsArray) {
    const key = field.jsonName;
    const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    const value = object[key];
    if (value === undefined) {
      if (!hasPresence(field)) object[key] = defaultJson(field);
    } else if (nested && field.map) {
      for (const entry of Object.keys(value as object)) {
        const values = value as Record<string, unknown>;
        values[entry] = withDefaults(nested, values[entry]);
      }
    } else if (nested && field.repeated) {
      object[key] = (value as unknown[]).map((item) => withDefaults(nested, item));
    } else if (nested) {
      object[key] = withDefaults(nested, value);
    }
  }
  return object;
}

function hasPresence(field: Field): boolean {
  if (field.repeated || field.map) return false;
  return field.hasPresence || field.resolvedType instanceof protobuf.Type;
}

function defaultJson(field: Field): unknown {
  if (field.map) return {};
  if (field.repeated) return [];
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    const zero = Object.entries(resolved.values).find(([, number]) => number === 0);
    return zero ? zero[0] : 0;
  }
  if (LONG_TYPES.has(field.type)) return "0";
  switch (field.type) {
    case "bool":
      return false;
    case "string":
    case "bytes":
      return "";
    default:
      return 0;
  }
}
