import { GATEWAY_VERSION } from "../version.js";

/** What `/version` reports. */
export interface VersionInfo {
  readonly app: { readonly name: string; readonly version: string };
  readonly runtime: { readonly node: string; readonly platform: string; readonly arch: string };
  readonly database: { readonly dialect: string };
  readonly uptime_seconds: number;
  readonly started_at: string;
}

/** Returns a function describing this process; `startedAt` is when the gateway started. */
export function createVersionInfo(startedAt: Date, dialect: string): () => VersionInfo {
  return () => ({
    app: { name: "ContextForge", version: GATEWAY_VERSION },
    runtime: { node: process.versions.node, platform: process.platform, arch: process.arch },
    database: { dialect },
    uptime_seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    started_at: startedAt.toISOString(),
  });
}
