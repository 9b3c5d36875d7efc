import type { Kysely } from "kysely";
import type { Ownership } from "../auth/access.js";
import type { DatabaseSchema } from "../db/database-schema.js";
import { fromJson, toBoolean } from "../db/row-values.js";
import type { SecretBox } from "../security/secret-box.js";
import { type GatewaySessionMode, sessionModeOf } from "./gateways/gateway-schema.js";

/** How to reach the upstream that provides an item. */
export interface SnapshotUpstream {
  readonly gatewayId: string;
  readonly slug: string;
  /** For STDIO, a readable name (`stdio://<slug>`) used in messages only. */
  readonly url: string;
  readonly transport: "STREAMABLEHTTP" | "SSE" | "WEBSOCKET" | "STDIO" | "REVERSE";
  /** Decrypted credentials for the upstream (never leave the process). */
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** STDIO: how to start the server, its environment decrypted (never leaves the process). */
  readonly stdio: SnapshotStdioCommand | undefined;
  /** The gateway row's version: a change means new upstream sessions. */
  readonly revision: number;
  /** Whether downstream sessions share upstream sessions (`session_mode`). */
  readonly sessionMode: GatewaySessionMode;
  /** Deadline of a call to this upstream (`timeout_seconds`); undefined: `TOOL_TIMEOUT`. */
  readonly timeoutMs: number | undefined;
  /** A peer ContextForge gateway's federation id (reported at discovery); undefined for other servers. */
  readonly federationId: string | undefined;
  /** False once health checks marked it unreachable: its items are hidden or flagged, calls fail fast. */
  readonly reachable: boolean;
}

/** How the gateway starts a stdio upstream. */
export interface SnapshotStdioCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string | undefined;
}

/** A tool as MCP clients see it. */
export interface SnapshotTool {
  readonly id: string;
  /** The exposed name (unique). */
  readonly name: string;
  /** The name the upstream knows it by. */
  readonly originalName: string;
  readonly title: string | undefined;
  readonly description: string | undefined;
  readonly inputSchema: Record<string, unknown>;
  readonly outputSchema: Record<string, unknown> | undefined;
  readonly annotations: Record<string, unknown>;
  readonly integrationType: string;
  readonly upstream: SnapshotUpstream | undefined;
  /** Who may see and use it (auth/access.ts). */
  readonly ownership: Ownership;
}

/** A resource or resource template as MCP clients see it. */
export interface SnapshotResource {
  readonly id: string;
  readonly uri: string;
  readonly uriTemplate: string | undefined;
  readonly name: string;
  readonly description: string | undefined;
  readonly mimeType: string | undefined;
  readonly size: number | undefined;
  /** Content held by the gateway itself (resources defined in it). */
  readonly text: string | undefined;
  readonly upstream: SnapshotUpstream | undefined;
  /** Who may see and read it (auth/access.ts). */
  readonly ownership: Ownership;
}

/** A prompt as MCP clients see it. */
export interface SnapshotPrompt {
  readonly id: string;
  readonly name: string;
  readonly originalName: string;
  readonly title: string | undefined;
  readonly description: string | undefined;
  readonly arguments: readonly { name: string; description?: string; required?: boolean }[];
  readonly template: string;
  readonly upstream: SnapshotUpstream | undefined;
  /** Who may see and use it (auth/access.ts). */
  readonly ownership: Ownership;
}

/** What one virtual server exposes. */
export interface SnapshotServer {
  readonly id: string;
  readonly name: string;
  /** Tools and prompts are exposed under their upstream names (the names below already are). */
  readonly exposeOriginalNames: boolean;
  /** Who may see and use the virtual server (the `all` view: public). */
  readonly ownership: Ownership;
  readonly tools: readonly SnapshotTool[];
  readonly resources: readonly SnapshotResource[];
  readonly prompts: readonly SnapshotPrompt[];
}

/** An immutable in-memory view of everything enabled in the registry: what the MCP path reads. */
export interface RegistrySnapshot {
  readonly generation: number;
  /** Every enabled item (the view of `/mcp` without a virtual server). */
  readonly all: SnapshotServer;
  readonly servers: ReadonlyMap<string, SnapshotServer>;
  /** Every enabled gateway, by id (what health checks ping). */
  readonly upstreams: ReadonlyMap<string, SnapshotUpstream>;
}

/** Keeps the snapshot current: rebuilt (once, for all waiting readers) after the registry changed. */
export interface RegistrySnapshotSource {
  current(): Promise<RegistrySnapshot>;
  /** Marks the snapshot stale; the next `current()` rebuilds it. */
  invalidate(): void;
}

function ownershipOf(row: {
  visibility: string;
  team_id: string | null;
  owner_email: string | null;
}): Ownership {
  return { visibility: row.visibility, teamId: row.team_id, ownerEmail: row.owner_email };
}

/** Reads the enabled registry into a snapshot (a handful of queries, no per-item query). */
async function buildSnapshot(
  db: Kysely<DatabaseSchema>,
  secrets: SecretBox,
  generation: number,
): Promise<RegistrySnapshot> {
  const [gateways, tools, resources, prompts, servers, serverTools, serverResources, serverPrompts] =
    await Promise.all([
      db.selectFrom("gateways").selectAll().where("enabled", "=", true).execute(),
      db
        .selectFrom("tools")
        .selectAll()
        .where("enabled", "=", true)
        .where("deleted_upstream", "=", false)
        .orderBy("name")
        .execute(),
      db
        .selectFrom("resources")
        .selectAll()
        .where("enabled", "=", true)
        .where("deleted_upstream", "=", false)
        .orderBy("uri")
        .execute(),
      db
        .selectFrom("prompts")
        .selectAll()
        .where("enabled", "=", true)
        .where("deleted_upstream", "=", false)
        .orderBy("name")
        .execute(),
      db.selectFrom("servers").selectAll().where("enabled", "=", true).execute(),
      db.selectFrom("server_tools").selectAll().execute(),
      db.selectFrom("server_resources").selectAll().execute(),
      db.selectFrom("server_prompts").selectAll().execute(),
    ]);
  const upstreams = new Map<string, SnapshotUpstream>();
  for (const g of gateways) {
    upstreams.set(g.id, {
      gatewayId: g.id,
      slug: g.slug,
      url: g.url,
      transport: snapshotTransport(g.transport),
      headers: g.auth_value ? (JSON.parse(secrets.open(g.auth_value)) as Record<string, string>) : undefined,
      stdio:
        g.transport === "STDIO" && g.command
          ? {
              command: g.command,
              args: fromJson<string[]>(g.args, []),
              env: g.env ? (JSON.parse(secrets.open(g.env)) as Record<string, string>) : {},
              cwd: g.cwd ?? undefined,
            }
          : undefined,
      revision: g.version,
      sessionMode: sessionModeOf(g.session_mode),
      timeoutMs: g.timeout_seconds === null ? undefined : g.timeout_seconds * 1000,
      federationId: g.federation_id ?? undefined,
      reachable: toBoolean(g.reachable),
    });
  }
  // An item of a disabled (or missing) gateway is not served.
  const served = (gatewayId: string | null) => gatewayId === null || upstreams.has(gatewayId);
  const upstreamOf = (gatewayId: string | null) =>
    gatewayId === null ? undefined : upstreams.get(gatewayId);

  const allTools: SnapshotTool[] = tools
    .filter((t) => served(t.gateway_id))
    .map((t) => ({
      id: t.id,
      name: t.name,
      originalName: t.original_name,
      title: t.display_name ?? undefined,
      description: t.description ?? undefined,
      inputSchema: fromJson<Record<string, unknown>>(t.input_schema, { type: "object" }),
      outputSchema: fromJson<Record<string, unknown> | undefined>(t.output_schema, undefined),
      annotations: fromJson<Record<string, unknown>>(t.annotations, {}),
      integrationType: t.integration_type,
      upstream: upstreamOf(t.gateway_id),
      ownership: ownershipOf(t),
    }));
  const allResources: SnapshotResource[] = resources
    .filter((r) => served(r.gateway_id))
    .map((r) => ({
      id: r.id,
      uri: r.uri,
      uriTemplate: r.uri_template ?? undefined,
      name: r.name,
      description: r.description ?? undefined,
      mimeType: r.mime_type ?? undefined,
      size: r.size ?? undefined,
      text: r.text_content ?? undefined,
      upstream: upstreamOf(r.gateway_id),
      ownership: ownershipOf(r),
    }));
  const allPrompts: SnapshotPrompt[] = prompts
    .filter((p) => served(p.gateway_id))
    .map((p) => ({
      id: p.id,
      name: p.name,
      originalName: p.original_name,
      title: p.display_name ?? undefined,
      description: p.description ?? undefined,
      arguments: fromJson<{ name: string; description?: string; required?: boolean }[]>(p.arguments, []),
      template: p.template,
      upstream: upstreamOf(p.gateway_id),
      ownership: ownershipOf(p),
    }));

  const pick = <T extends { id: string }>(
    items: readonly T[],
    links: readonly { server_id: string }[],
    key: string,
    serverId: string,
  ) => {
    const ids = new Set(
      links.filter((l) => l.server_id === serverId).map((l) => (l as unknown as Record<string, string>)[key]),
    );
    return items.filter((item) => ids.has(item.id));
  };
  const serverMap = new Map<string, SnapshotServer>();
  for (const s of servers) {
    const original = s.expose_original_names === true || s.expose_original_names === 1;
    const tools = pick(allTools, serverTools, "tool_id", s.id);
    const prompts = pick(allPrompts, serverPrompts, "prompt_id", s.id);
    serverMap.set(s.id, {
      id: s.id,
      name: s.name,
      exposeOriginalNames: original,
      ownership: ownershipOf(s),
      tools: original ? tools.map((t) => ({ ...t, name: t.originalName })) : tools,
      resources: pick(allResources, serverResources, "resource_id", s.id),
      prompts: original ? prompts.map((p) => ({ ...p, name: p.originalName })) : prompts,
    });
  }
  return {
    generation,
    all: {
      id: "",
      name: "all",
      exposeOriginalNames: false,
      ownership: { visibility: "public", teamId: null, ownerEmail: null },
      tools: allTools,
      resources: allResources,
      prompts: allPrompts,
    },
    servers: serverMap,
    upstreams,
  };
}

/** The stored transport name; rows older than the transport check default to streamable HTTP. */
function snapshotTransport(stored: string): SnapshotUpstream["transport"] {
  return stored === "SSE" || stored === "WEBSOCKET" || stored === "STDIO" || stored === "REVERSE"
    ? stored
    : "STREAMABLEHTTP";
}

/** A snapshot source over the database; call `invalidate()` after every registry change. */
export function createRegistrySnapshotSource(
  db: Kysely<DatabaseSchema>,
  secrets: SecretBox,
): RegistrySnapshotSource {
  let generation = 1;
  let built: RegistrySnapshot | undefined;
  let building: Promise<RegistrySnapshot> | undefined;
  return {
    current() {
      if (built && built.generation === generation) return Promise.resolve(built);
      if (!building) {
        const target = generation;
        building = buildSnapshot(db, secrets, target).then(
          (snapshot) => {
            building = undefined;
            // A change during the build keeps the snapshot stale; the next reader rebuilds.
            built = snapshot;
            return snapshot;
          },
          (error: unknown) => {
            building = undefined;
            throw error;
          },
        );
      }
      return building;
    },
    invalidate() {
      generation += 1;
    },
  };
}
