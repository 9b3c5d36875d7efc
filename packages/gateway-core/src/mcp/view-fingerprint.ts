import type { SnapshotResource, SnapshotServer, SnapshotUpstream } from "../registry/registry-snapshot.js";
import { matchesUriTemplate } from "./uri-template-match.js";

/** The three lists an MCP client can be told changed. */
export type ListKind = "tools" | "resources" | "prompts";

/** What each list of a view looks like to a client, reduced to comparable strings. */
export type ViewFingerprint = Readonly<Record<ListKind, string>>;

// Views are immutable parts of one registry snapshot (and shared by every principal with the same
// visibility): a fingerprint is computed once per view, and a new snapshot brings new views.
const fingerprints = new WeakMap<SnapshotServer, ViewFingerprint>();

/**
 * The client-visible content of a view's lists (names, descriptions, schemas, whether the upstream
 * is reachable; never its address or credentials), so a registry change that leaves a list as it
 * was notifies nobody, and an upstream marked unreachable or reachable again notifies its viewers.
 */
export function fingerprintView(view: SnapshotServer): ViewFingerprint {
  let fingerprint = fingerprints.get(view);
  if (!fingerprint) {
    fingerprint = computeFingerprint(view);
    fingerprints.set(view, fingerprint);
  }
  return fingerprint;
}

function computeFingerprint(view: SnapshotServer): ViewFingerprint {
  const reachable = (item: { upstream: SnapshotUpstream | undefined }) => item.upstream?.reachable !== false;
  return {
    tools: JSON.stringify(
      view.tools
        .filter((t) => t.upstream !== undefined)
        .map((t) => [
          t.name,
          t.title,
          t.description,
          t.inputSchema,
          t.outputSchema,
          t.annotations,
          reachable(t),
        ]),
    ),
    resources: JSON.stringify(
      view.resources.map((r) => [
        r.uri,
        r.uriTemplate,
        r.name,
        r.description,
        r.mimeType,
        r.size,
        reachable(r),
      ]),
    ),
    prompts: JSON.stringify(
      view.prompts.map((p) => [p.name, p.title, p.description, p.arguments, reachable(p)]),
    ),
  };
}

/** The lists whose fingerprint differs. */
export function changedLists(before: ViewFingerprint, after: ViewFingerprint): ListKind[] {
  return (["tools", "resources", "prompts"] as const).filter((kind) => before[kind] !== after[kind]);
}

/** The resource (or template) of a view that serves `uri`, as `resources/read` resolves it. */
export function resourceForUri(view: SnapshotServer, uri: string): SnapshotResource | undefined {
  return (
    view.resources.find((r) => r.uriTemplate === undefined && r.uri === uri) ??
    view.resources.find(
      (r) => r.uriTemplate !== undefined && r.upstream && matchesUriTemplate(r.uriTemplate, uri),
    )
  );
}

/**
 * Whether an update of `updated` concerns a subscription to `subscribed`: the same URI, or a
 * sub-resource of it (the spec lets a server notify about sub-resources of a subscribed URI).
 */
export function concernsSubscription(updated: string, subscribed: string): boolean {
  if (updated === subscribed) return true;
  const prefix = subscribed.endsWith("/") ? subscribed : `${subscribed}/`;
  return updated.startsWith(prefix);
}
