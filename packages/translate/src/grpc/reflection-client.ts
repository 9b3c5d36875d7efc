import {
  type Client,
  type ClientDuplexStream,
  type Metadata,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import type { Root } from "protobufjs";
import protobuf from "protobufjs";
import descriptor, { type IFileDescriptorProto } from "protobufjs/ext/descriptor.js";
import {
  decodeReflectionResponse,
  encodeReflectionRequest,
  type ReflectionRequest,
  type ReflectionResponse,
} from "./reflection-messages.js";

/** The versions of the reflection service, preferred first. */
const REFLECTION_VERSIONS = ["v1", "v1alpha"] as const;

/** What server reflection told about a gRPC server. */
export interface DiscoveredServices {
  /** Every file the services need, with their dependencies, as one resolved protobufjs root. */
  readonly root: Root;
  /** Fully qualified service names, reflection itself left out. */
  readonly services: readonly string[];
  /** The reflection version that answered. */
  readonly version: (typeof REFLECTION_VERSIONS)[number];
}

/** Why discovery failed: `status` is the gRPC status when the server answered with one. */
export class ReflectionError extends Error {
  readonly status: status | undefined;

  constructor(message: string, options: { status?: status; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ReflectionError";
    this.status = options.status;
  }
}

/**
 * Discovers a server's services through gRPC server reflection: `list_services`, then the file
 * declaring each service and, transitively, the files it imports. Tries `grpc.reflection.v1` and
 * falls back to `v1alpha` when the server does not implement it; each attempt must finish
 * within `timeoutMs`.
 */
export async function discoverServices(
  client: Client,
  metadata: Metadata,
  timeoutMs: number,
): Promise<DiscoveredServices> {
  let unimplemented: ReflectionError | undefined;
  for (const version of REFLECTION_VERSIONS) {
    const stream = new ReflectionStream(client, version, metadata, Date.now() + timeoutMs);
    try {
      const services = await listServices(stream);
      const root = await loadFiles(stream, services);
      return { root, services, version };
    } catch (error) {
      const failure = asReflectionError(error);
      if (failure.status !== status.UNIMPLEMENTED) throw failure;
      unimplemented = failure;
    } finally {
      stream.close();
    }
  }
  throw new ReflectionError(
    "the server does not offer gRPC server reflection (grpc.reflection.v1 and v1alpha: UNIMPLEMENTED)",
    { status: status.UNIMPLEMENTED, cause: unimplemented },
  );
}

async function listServices(stream: ReflectionStream): Promise<string[]> {
  const response = await stream.ask({ listServices: "*" });
  const names = (response.listServicesResponse?.service ?? []).map((service) => service.name ?? "");
  return names.filter((name) => name !== "" && !name.startsWith("grpc.reflection."));
}

async function loadFiles(stream: ReflectionStream, services: readonly string[]): Promise<Root> {
  const files = new Map<string, IFileDescriptorProto>();
  const wanted: string[] = [];
  const add = (protos: readonly Uint8Array[]): void => {
    for (const bytes of protos) {
      const file = descriptor.FileDescriptorProto.decode(bytes) as IFileDescriptorProto;
      const name = file.name ?? "";
      if (files.has(name)) continue;
      files.set(name, file);
      wanted.push(...(file.dependency ?? []));
    }
  };
  for (const service of services) {
    const response = await stream.ask({ fileContainingSymbol: service });
    add(response.fileDescriptorResponse?.fileDescriptorProto ?? []);
  }
  for (let name = wanted.shift(); name !== undefined; name = wanted.shift()) {
    if (files.has(name)) continue;
    const response = await stream.ask({ fileByFilename: name });
    add(response.fileDescriptorResponse?.fileDescriptorProto ?? []);
    if (!files.has(name)) throw new ReflectionError(`reflection did not return the file "${name}"`);
  }
  // keepCase: field names stay as declared; protobufjs derives the lowerCamelCase JSON names.
  const root = protobuf.Root.fromDescriptor({ file: [...files.values()] }, { keepCase: true });
  root.resolveAll();
  return root;
}

/** One ServerReflectionInfo stream: requests are answered in order. */
class ReflectionStream {
  readonly #call: ClientDuplexStream<ReflectionRequest, ReflectionResponse>;
  readonly #waiting: { resolve: (response: ReflectionResponse) => void; reject: (error: Error) => void }[] =
    [];
  #failure: Error | undefined;

  constructor(client: Client, version: string, metadata: Metadata, deadline: number) {
    this.#call = client.makeBidiStreamRequest(
      `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
      encodeReflectionRequest,
      decodeReflectionResponse,
      metadata.clone(),
      { deadline },
    );
    this.#call.on("data", (response: ReflectionResponse) => this.#waiting.shift()?.resolve(response));
    this.#call.on("error", (error: ServiceError) => this.#fail(error));
    this.#call.on("end", () => this.#fail(new ReflectionError("the reflection stream ended early")));
  }

  /** Sends one request; rejects on an error response or a failed stream. */
  async ask(request: ReflectionRequest): Promise<ReflectionResponse> {
    if (this.#failure) throw this.#failure;
    const response = await new Promise<ReflectionResponse>((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#call.write(request);
    });
    const error = response.errorResponse;
    if (error) {
      const what = Object.values(request)[0] as string;
      throw new ReflectionError(`reflection could not answer for "${what}": ${error.errorMessage ?? ""}`, {
        ...(error.errorCode === undefined ? {} : { status: error.errorCode as status }),
      });
    }
    return response;
  }

  close(): void {
    this.#call.end();
    this.#call.cancel();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiting of this.#waiting.splice(0)) waiting.reject(this.#failure);
  }
}

function asReflectionError(error: unknown): ReflectionError {
  if (error instanceof ReflectionError) return error;
  const serviceError = error as Partial<ServiceError>;
  if (typeof serviceError.code === "number") {
    const name = status[serviceError.code] ?? String(serviceError.code);
    return new ReflectionError(`${name}: ${serviceError.details ?? serviceError.message ?? ""}`, {
      status: serviceError.code,
      cause: error,
    });
  }
  return new ReflectionError((error as Error).message ?? String(error), { cause: error });
}
