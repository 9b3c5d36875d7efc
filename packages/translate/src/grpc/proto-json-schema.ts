import type { Field, MapField, OneOf, Type } from "protobufjs";
import protobuf from "protobufjs";

/** A JSON Schema (2020-12) object. */
export type JsonSchema = { [keyword: string]: unknown };

/**
 * `input`: what a tool call may send (proto3 JSON parsers accept an int64 as a string or a
 * number). `output`: what the response becomes (int64 always a string; a float may be `"NaN"`; an
 * enum value the schema does not know is a number).
 */
export type SchemaUse = "input" | "output";

const INT64_PATTERN = "^-?[0-9]+$";
const UINT64_PATTERN = "^[0-9]+$";

/**
 * Well-known types that proto3 JSON maps to something other than an object of their fields, by
 * the scalar or schema they become.
 */
const WELL_KNOWN: ReadonlyMap<string, string | JsonSchema> = new Map<string, string | JsonSchema>([
  [".google.protobuf.Timestamp", { type: "string", format: "date-time" }],
  [".google.protobuf.Duration", { type: "string", pattern: "^-?[0-9]+(\\.[0-9]{1,9})?s$" }],
  [".google.protobuf.FieldMask", { type: "string" }],
  [".google.protobuf.Value", {}],
  [".google.protobuf.ListValue", { type: "array" }],
  [".google.protobuf.DoubleValue", "double"],
  [".google.protobuf.FloatValue", "float"],
  [".google.protobuf.Int64Value", "int64"],
  [".google.protobuf.UInt64Value", "uint64"],
  [".google.protobuf.Int32Value", "int32"],
  [".google.protobuf.UInt32Value", "uint32"],
  [".google.protobuf.BoolValue", "bool"],
  [".google.protobuf.StringValue", "string"],
  [".google.protobuf.BytesValue", "bytes"],
]);

/** Well-known types that are objects in proto3 JSON, but not of their declared fields. */
const WELL_KNOWN_OBJECTS: ReadonlyMap<string, JsonSchema> = new Map<string, JsonSchema>([
  [".google.protobuf.Struct", { type: "object" }],
  [
    ".google.protobuf.Any",
    { type: "object", properties: { "@type": { type: "string" } }, required: ["@type"] },
  ],
]);

/** False for the well-known types whose proto3 JSON form is not an object (Timestamp, wrappers...). */
export function isJsonObjectMessage(type: Type): boolean {
  return !WELL_KNOWN.has(type.fullName);
}

/**
 * The JSON Schema of `type` in the proto3 JSON mapping: properties named by their JSON names,
 * scalars by their JSON types, enums as their value names, repeated fields as arrays, maps as
 * objects, nested messages inline. A message that contains itself (directly or not) is inlined
 * once and referenced as `#/$defs/<full name>` below that, so the schema stays finite.
 */
export function messageJsonSchema(type: Type, use: SchemaUse): JsonSchema {
  const builder = new SchemaBuilder(use);
  const schema = builder.message(type, new Set());
  return builder.defs.size === 0 ? schema : { ...schema, $defs: Object.fromEntries(builder.defs) };
}

class SchemaBuilder {
  readonly defs = new Map<string, JsonSchema>();
  readonly #use: SchemaUse;

  constructor(use: SchemaUse) {
    this.#use = use;
  }

  message(type: Type, enclosing: ReadonlySet<Type>): JsonSchema {
    const known = WELL_KNOWN.get(type.fullName);
    if (typeof known === "string") return this.scalar(known);
    if (known) return known;
    const object = WELL_KNOWN_OBJECTS.get(type.fullName);
    if (object) return object;
    if (enclosing.has(type)) {
      const name = type.fullName.slice(1);
      if (!this.defs.has(name)) {
        this.defs.set(name, {});
        this.defs.set(name, this.message(type, new Set()));
      }
      return { $ref: `#/$defs/${name}` };
    }
    const inside = new Set(enclosing).add(type);
    const properties: Record<string, JsonSchema> = {};
    for (const field of type.fieldsArray) {
      const schema = this.field(field.resolve(), inside);
      const oneof = realOneof(field.partOf);
      if (oneof) properties[field.jsonName] = { ...schema, description: describeOneof(oneof, field) };
      else properties[field.jsonName] = field.comment ? { ...schema, description: field.comment } : schema;
    }
    return {
      type: "object",
      ...(type.comment ? { description: type.comment } : {}),
      properties,
    };
  }

  field(field: Field, enclosing: ReadonlySet<Type>): JsonSchema {
    const value = this.value(field, enclosing);
    if (field.map) {
      const keyType = (field as unknown as MapField).keyType;
      return { type: "object", propertyNames: mapKeySchema(keyType), additionalProperties: value };
    }
    return field.repeated ? { type: "array", items: value } : value;
  }

  value(field: Field, enclosing: ReadonlySet<Type>): JsonSchema {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) return this.message(resolved, enclosing);
    if (resolved instanceof protobuf.Enum) {
      if (resolved.fullName === ".google.protobuf.NullValue") return { type: "null" };
      const names = { type: "string", enum: Object.keys(resolved.values) };
      return this.#use === "input" ? names : { anyOf: [names, { type: "integer" }] };
    }
    return this.scalar(field.type);
  }

  scalar(type: string): JsonSchema {
    switch (type) {
      case "double":
      case "float":
        return this.#use === "input"
          ? { type: "number" }
          : { anyOf: [{ type: "number" }, { enum: ["NaN", "Infinity", "-Infinity"] }] };
      case "int32":
      case "sint32":
      case "sfixed32":
        return { type: "integer", minimum: -2_147_483_648, maximum: 2_147_483_647 };
      case "uint32":
      case "fixed32":
        return { type: "integer", minimum: 0, maximum: 4_294_967_295 };
      case "int64":
      case "sint64":
      case "sfixed64":
        return this.#use === "input"
          ? { type: ["string", "integer"], pattern: INT64_PATTERN }
          : { type: "string", pattern: INT64_PATTERN };
      case "uint64":
      case "fixed64":
        return this.#use === "input"
          ? { type: ["string", "integer"], pattern: UINT64_PATTERN, minimum: 0 }
          : { type: "string", pattern: UINT64_PATTERN };
      case "bool":
        return { type: "boolean" };
      case "bytes":
        return { type: "string", contentEncoding: "base64" };
      default:
        return { type: "string" };
    }
  }
}

function mapKeySchema(keyType: string): JsonSchema {
  if (keyType === "bool") return { enum: ["true", "false"] };
  if (keyType === "string") return { type: "string" };
  return {
    type: "string",
    pattern: keyType.startsWith("u") || keyType.startsWith("fixed") ? UINT64_PATTERN : INT64_PATTERN,
  };
}

/** A oneof written in the .proto file; proto3 `optional` fields are wrapped in synthetic ones. */
function realOneof(oneof: OneOf | null): OneOf | undefined {
  if (!oneof) return undefined;
  const [only, ...others] = oneof.fieldsArray;
  return others.length === 0 && only && oneof.name === `_${only.name}` ? undefined : oneof;
}

function describeOneof(oneof: OneOf, field: Field): string {
  const members = oneof.fieldsArray.map((member) => member.jsonName).join(", ");
  const rule = `One of ${oneof.name}: set at most one of ${members}.`;
  return field.comment ? `${field.comment} ${rule}` : rule;
}
