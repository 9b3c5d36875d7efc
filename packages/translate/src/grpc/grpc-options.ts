import { Metadata } from "@grpc/grpc-js";
import {
  type ExposeOptions,
  type ResolvedExposeOptions,
  resolveExposeOptions,
} from "../options/expose-options.js";
import { invalid } from "../options/option-checks.js";

/** TLS towards the gRPC server: PEM contents; without `ca`, the system's root certificates. */
export interface GrpcTlsOptions {
  /** Certificates to trust instead of the system roots. */
  readonly ca?: string | Uint8Array;
  /** Client certificate chain for mutual TLS (needs `key`). */
  readonly cert?: string | Uint8Array;
  /** Client private key for mutual TLS (needs `cert`). */
  readonly key?: string | Uint8Array;
}

/** Options of `startGrpcTranslate`. Only `grpc` is required. */
export interface GrpcTranslateOptions extends ExposeOptions {
  /** The gRPC server, `HOST:PORT` (`[IPv6]:PORT` for an IPv6 address). */
  readonly grpc: string;
  /** TLS: `true` for the system roots, or certificates. Default: plaintext (h2c). */
  readonly tls?: boolean | GrpcTlsOptions;
  /**
   * Metadata sent with every call, reflection included. Keys are case-insensitive; a key ending
   * in `-bin` takes base64 values.
   */
  readonly metadata?: Readonly<Record<string, string | readonly string[]>>;
  /** Deadline of each call (and of service discovery at start-up). Default 30 s. */
  readonly timeoutMs?: number;
}

/** {@link GrpcTranslateOptions} with every default applied, validated. */
export interface ResolvedGrpcOptions {
  readonly expose: ResolvedExposeOptions;
  /** `host:port` as given. */
  readonly target: string;
  /** Plaintext when undefined. */
  readonly tls: GrpcTlsOptions | undefined;
  readonly metadata: Metadata;
  readonly timeoutMs: number;
}

const TARGET = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]{1,5})$/;
const METADATA_KEY = /^[0-9a-z_.-]+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Set by HTTP/2 or gRPC itself. */
const RESERVED_KEYS = new Set(["content-type", "te", "host", "user-agent", "authority"]);

/** Applies defaults and checks the options; throws `invalid_options` (the CLI exits 2). */
export function resolveGrpcOptions(options: GrpcTranslateOptions): ResolvedGrpcOptions {
  const port = TARGET.exec(options.grpc)?.[1];
  if (port === undefined || Number(port) < 1 || Number(port) > 65_535) {
    invalid(`--grpc expects HOST:PORT (got "${options.grpc}")`);
  }
  const tls = options.tls === true ? {} : options.tls === false ? undefined : options.tls;
  if (tls && (tls.cert === undefined) !== (tls.key === undefined)) {
    invalid("--grpc-cert and --grpc-key must be given together");
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    invalid(`--grpc-timeout must be a number of seconds > 0 (got ${timeoutMs / 1000})`);
  }
  return {
    expose: resolveExposeOptions(options),
    target: options.grpc,
    tls,
    metadata: toMetadata(options.metadata ?? {}),
    timeoutMs,
  };
}

function toMetadata(entries: Readonly<Record<string, string | readonly string[]>>): Metadata {
  const metadata = new Metadata();
  for (const [name, values] of Object.entries(entries)) {
    const key = name.toLowerCase();
    if (!METADATA_KEY.test(key)) invalid(`--grpc-metadata: "${name}" is not a gRPC metadata key`);
    if (key.startsWith("grpc-") || RESERVED_KEYS.has(key)) {
      invalid(`--grpc-metadata: ${name} is set by gRPC itself`);
    }
    for (const value of typeof values === "string" ? [values] : values) {
      if (key.endsWith("-bin")) {
        if (!BASE64.test(value)) invalid(`--grpc-metadata: ${name} is binary and needs a base64 value`);
        metadata.add(key, Buffer.from(value, "base64"));
      } else {
        if (!PRINTABLE_ASCII.test(value)) {
          invalid(`--grpc-metadata: the value of ${name} must be printable ASCII`);
        }
        metadata.add(key, value);
      }
    }
  }
  return metadata;
}
