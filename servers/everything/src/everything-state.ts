import { randomBytes } from "node:crypto";
import { createRequestStateCodec, type RequestStateCodec } from "@modelcontextprotocol/server";

/** URI of the resource whose content changes when `update_watched_resource` is called. */
export const WATCHED_RESOURCE_URI = "test://watched-resource";

/** A change to the shared state that live sessions must announce to their clients. */
export type StateChange =
  | { readonly kind: "tools" }
  | { readonly kind: "prompts" }
  | { readonly kind: "resource"; readonly uri: string };

/** Payload the multi-round-trip tools keep in their signed `requestState`. */
export type FlowState = Readonly<Record<string, unknown>>;

/**
 * Process-wide state shared by every server instance one process creates. The 2026-07-28 path
 * builds a fresh instance per request, so anything a client can change (the extra tool, the
 * extra prompt, the watched resource) has to live here rather than on an instance.
 */
export class EverythingState {
  #extraTool = false;
  #extraPrompt = false;
  #watchedRevision = 0;
  readonly #listeners = new Set<(change: StateChange) => void>();

  /** Signs and verifies `requestState`; one key per process, as one process serves every round. */
  readonly requestState: RequestStateCodec<FlowState> = createRequestStateCodec<FlowState>({
    key: randomBytes(32),
  });

  /** Whether the `extra_tool` tool is currently listed. */
  get extraToolEnabled(): boolean {
    return this.#extraTool;
  }

  /** Whether the `extra_prompt` prompt is currently listed. */
  get extraPromptEnabled(): boolean {
    return this.#extraPrompt;
  }

  /** How many times the watched resource has changed. */
  get watchedRevision(): number {
    return this.#watchedRevision;
  }

  /** Adds or removes `extra_tool`; returns whether it is now enabled. */
  toggleExtraTool(): boolean {
    this.#extraTool = !this.#extraTool;
    this.#emit({ kind: "tools" });
    return this.#extraTool;
  }

  /** Adds or removes `extra_prompt`; returns whether it is now enabled. */
  toggleExtraPrompt(): boolean {
    this.#extraPrompt = !this.#extraPrompt;
    this.#emit({ kind: "prompts" });
    return this.#extraPrompt;
  }

  /** Changes the watched resource's content; returns the new revision. */
  touchWatchedResource(): number {
    this.#watchedRevision += 1;
    this.#emit({ kind: "resource", uri: WATCHED_RESOURCE_URI });
    return this.#watchedRevision;
  }

  /** Calls `listener` after every change; returns the function that stops it. */
  onChange(listener: (change: StateChange) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #emit(change: StateChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}
