import { type ChannelCredentials, Client, credentials } from "@grpc/grpc-js";
import { VERSION } from "../version.js";
import type { ResolvedGrpcOptions } from "./grpc-options.js";

/** The one channel to the gRPC server, shared by service discovery and every session's calls. */
export function createGrpcClient(options: ResolvedGrpcOptions): Client {
  return new Client(options.target, channelCredentials(options), {
    "grpc.primary_user_agent": `mcptranslate/${VERSION}`,
  });
}

function channelCredentials({ tls }: ResolvedGrpcOptions): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  return credentials.createSsl(pem(tls.ca), pem(tls.key), pem(tls.cert));
}

function pem(value: string | Uint8Array | undefined): Buffer | null {
  return value === undefined ? null : Buffer.from(value);
}
