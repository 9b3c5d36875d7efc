import type { VersionInfo } from "./version-info.js";

/** What the health routes need from the rest of the gateway. */
export interface HealthDependencies {
  readonly versionInfo: () => VersionInfo;
  /** Resolves when every dependency (database, cache) answers; rejects with the reason otherwise. */
  readonly checkReadiness: () => Promise<void>;
}
