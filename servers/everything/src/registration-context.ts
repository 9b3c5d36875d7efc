import type { EverythingState } from "./everything-state.js";

/** Which protocol era an instance serves: `legacy` = 2025-11-25 and earlier, `modern` = 2026-07-28. */
export type Era = "legacy" | "modern";

/** What the tool, resource and prompt modules need to register their surface. */
export interface RegistrationContext {
  readonly era: Era;
  readonly state: EverythingState;
  /** Writes one diagnostic line (stderr in the CLI). */
  readonly log: (line: string) => void;
}
