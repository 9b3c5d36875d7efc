import type { Type } from "protobufjs";
import protobuf from "protobufjs";

/**
 * The messages of `grpc.reflection.v1` ServerReflectionInfo (v1alpha is the same on the wire), as
 * far as discovery needs them. Field numbers are those of `reflection.proto`.
 */
const REFLECTION = protobuf.Root.fromJSON({
  nested: {
    ServerReflectionRequest: {
      fields: {
        host: { type: "string", id: 1 },
        fileByFilename: { type: "string", id: 3 },
        fileContainingSymbol: { type: "string", id: 4 },
        listServices: { type: "string", id: 7 },
      },
    },
    ServerReflectionResponse: {
      fields: {
        fileDescriptorResponse: { type: "FileDescriptorResponse", id: 4 },
        listServicesResponse: { type: "ListServiceResponse", id: 6 },
        errorResponse: { type: "ErrorResponse", id: 7 },
      },
    },
    FileDescriptorResponse: { fields: { fileDescriptorProto: { rule: "repeated", type: "bytes", id: 1 } } },
    ListServiceResponse: { fields: { service: { rule: "repeated", type: "ServiceResponse", id: 1 } } },
    ServiceResponse: { fields: { name: { type: "string", id: 1 } } },
    ErrorResponse: {
      fields: { errorCode: { type: "int32", id: 1 }, errorMessage: { type: "string", id: 2 } },
    },
  },
});

const REQUEST: Type = REFLECTION.lookupType("ServerReflectionRequest");
const RESPONSE: Type = REFLECTION.lookupType("ServerReflectionResponse");

/** One question of the reflection protocol. */
export type ReflectionRequest =
  | { readonly listServices: string }
  | { readonly fileContainingSymbol: string }
  | { readonly fileByFilename: string };

/** One answer of the reflection protocol (only the member matching the request is set). */
export interface ReflectionResponse {
  readonly fileDescriptorResponse?: { readonly fileDescriptorProto?: readonly Uint8Array[] };
  readonly listServicesResponse?: { readonly service?: readonly { readonly name?: string }[] };
  readonly errorResponse?: { readonly errorCode?: number; readonly errorMessage?: string };
}

/** Encodes a reflection request for the wire. */
export function encodeReflectionRequest(request: ReflectionRequest): Buffer {
  return Buffer.from(REQUEST.encode(REQUEST.fromObject(request)).finish());
}

/** Decodes a reflection response from the wire. */
export function decodeReflectionResponse(bytes: Buffer): ReflectionResponse {
  return RESPONSE.toObject(RESPONSE.decode(bytes)) as ReflectionResponse;
}
