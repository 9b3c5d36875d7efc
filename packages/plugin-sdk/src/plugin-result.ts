/** Why a plugin stopped a request; shown to the caller as the error's reason. */
export interface PluginViolation {
  /** Short reason, e.g. "Prohibited content". */
  readonly reason: string;
  /** A sentence for the caller. */
  readonly description: string;
  /** A stable machine code, e.g. "DENY_LIST". */
  readonly code: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** What a hook returns: go on (optionally with a changed payload) or stop with a violation. */
export type PluginResult<P> =
  | {
      readonly continueProcessing: true;
      readonly modifiedPayload?: P;
      readonly metadata?: Record<string, unknown>;
    }
  | { readonly continueProcessing: false; readonly violation: PluginViolation };

/** Lets the request continue unchanged. */
export function allow<P>(): PluginResult<P> {
  return { continueProcessing: true };
}

/** Lets the request continue with `payload` in place of the original. */
export function modify<P>(payload: P): PluginResult<P> {
  return { continueProcessing: true, modifiedPayload: payload };
}

/** Stops the request; the gateway answers the caller with the violation. */
export function deny<P>(violation: PluginViolation): PluginResult<P> {
  return { continueProcessing: false, violation };
}
