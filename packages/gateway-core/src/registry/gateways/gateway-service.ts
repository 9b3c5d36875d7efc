import type { Kysely } from "kysely";
import type { DatabaseSchema, GatewaysTable } from "../../db/database-schema.js";
import { newId, nowIso } from "../../db/row-values.js";
import { GatewayError, validationError } from "../../errors/gateway-error.js";
import { gatewayIdOf } from "../../federation/federation-marker.js";
import type { DiscoveredUpstream, UpstreamTarget } from "../../mcp/upstream/upstream-discovery.js";
import { UpstreamError } from "../../mcp/upstream/upstream-error.js";
import type { SecretBox } from "../../security/secret-box.js";
import { authHeadersFrom, mentionsAuth } from "../shared/auth-headers.js";
import { newEntityColumns, ownershipPatch } from "../shared/entity-columns.js";
import { type Db, insertRow, listRows, valueTaken } from "../shared/entity-table.js";
import type { ListQuery } from "../shared/list-query.js";
import { type EntityVersion, versionedEntityStore } from "../shared/versioned-entity.js";
import { type NameSeparator, slugify } from "../tools/exposed-tool-name.js";
import { deleteVersions } from "../versions/version-repository.js";
import {
  type GatewayCreate,
  type GatewayRead,
  type GatewayRefreshResult,
  type GatewayUpdate,
  type STDIO_FIELDS,
  toGatewayRead,
  transportProblems,
} from "./gateway-schema.js";
import { renameGatewayItems, type SyncReport, type SyncTarget, syncGateway } from "./gateway-sync.js";

/** A stored version of a gateway. */
export type GatewayVersion = EntityVersion<GatewayRead>;

/** The gateway registry's logic: registering upstream MCP servers and keeping their items. */
export interface GatewayService {
  list(query: ListQuery): Promise<{ items: GatewayRead[]; nextCursor: string | null }>;
  get(id: string): Promise<GatewayRead>;
  /**
   * Connects to the upstream, discovers its tools, resources and prompts, and stores them; with
   * `pendingApproval`, registers it disabled without contacting it (see {@link GatewayCreateOptions}).
   */
  create(input: GatewayCreate, actor?: string, options?: GatewayCreateOptions): Promise<GatewayRead>;
  update(id: string, input: GatewayUpdate, actor?: string): Promise<GatewayRead>;
  setEnabled(id: string, enabled: boolean, actor?: string): Promise<GatewayRead>;
  delete(id: string): Promise<void>;
  versions(id: string): Promise<GatewayVersion[]>;
  restore(id: string, version: number, actor?: string): Promise<GatewayRead>;
  /** Re-discovers the upstream's items; 409 while another refresh of it runs. */
  refresh(
    id: string,
    options: { resources: boolean; prompts: boolean },
    actor?: string,
  ): Promise<GatewayRefreshResult>;
}

/** How {@link GatewayService.create} registers a gateway. */
export interface GatewayCreateOptions {
  /**
   * Register it disabled, with no items and without contacting it (a peer found by mDNS awaiting an
   * administrator): approving it means activating it and refreshing it (or updating its
   * credentials, which discovers it). `federationId` is the peer's, as it advertised it;
   * `lastError` why it was not registered enabled, if it was tried.
   */
  readonly pendingApproval?: { readonly federationId?: string; readonly lastError?: string };
}

/** Collaborators of the gateway service. */
export interface GatewayServiceOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly secrets: SecretBox;
  readonly separator: NameSeparator;
  readonly maskedValue: string;
  /** Finds what an upstream offers (the MCP client); injected so the service stays testable. */
  readonly discover: (target: UpstreamTarget) => Promise<DiscoveredUpstream>;
  readonly discoveryTimeoutMs: number;
  readonly clientVersion: string;
}

const CHILDREN = [
  ["tools", "tool"],
  ["resources", "resource"],
  ["prompts", "prompt"],
] as const;

/** Creates the gateway service. */
export function createGatewayService(options: GatewayServiceOptions): GatewayService {
  const { db, secrets, separator, maskedValue } = options;
  const store = versionedEntityStore<GatewaysTable>(db, "gateways", "gateway", "Gateway");
  const refreshing = new Set<string>();
  const openEnv = (sealed: string | null): Record<string, string> | undefined =>
    sealed ? (JSON.parse(secrets.open(sealed)) as Record<string, string>) : undefined;
  const read = (row: GatewaysTable): GatewayRead =>
    toGatewayRead(row, maskedValue, row.env ? Object.keys(openEnv(row.env) ?? {}) : undefined);

  /** The stdio columns of `input` (create: all of them; update: those it names). */
  const stdioColumns = (
    input: GatewayCreate | GatewayUpdate,
    stored: Pick<GatewaysTable, "env"> | undefined,
  ): Partial<Pick<GatewaysTable, (typeof STDIO_FIELDS)[number]>> => {
    const patch: Partial<Pick<GatewaysTable, (typeof STDIO_FIELDS)[number]>> = {};
    if (input.command !== undefined) patch.command = input.command;
    if (input.args !== undefined) patch.args = JSON.stringify(input.args);
    if (input.cwd !== undefined) patch.cwd = input.cwd;
    if (input.env !== undefined) {
      // A value sent back masked (read, edit, write) keeps the stored value of that variable.
      const before = openEnv(stored?.env ?? null) ?? {};
      const env = Object.fromEntries(
        Object.entries(input.env).map(([name, value]) => [
          name,
          value === maskedValue && before[name] !== undefined ? before[name] : value,
        ]),
      );
      patch.env = Object.keys(env).length > 0 ? secrets.seal(JSON.stringify(env)) : null;
    }
    return patch;
  };

  const sealAuth = (input: GatewayCreate | GatewayUpdate) => {
    const auth = authHeadersFrom(input, ["body"]);
    return auth
      ? {
          auth_type: auth.authType as string | null,
          auth_value: secrets.seal(JSON.stringify(auth.headers)) as string | null,
        }
      : { auth_type: null, auth_value: null };
  };

  const targetOf = (
    row: Pick<GatewaysTable, "id" | "url" | "transport" | "auth_value" | (typeof STDIO_FIELDS)[number]>,
  ): UpstreamTarget => {
    const common = {
      timeoutMs: options.discoveryTimeoutMs,
      clientInfo: { name: "contextforge-gateway", version: options.clientVersion },
    };
    // Server-managed: the tunnel of a connected reverse proxy, registered by the proxy itself.
    if (row.transport === "REVERSE") return { ...common, transport: "REVERSE", url: row.url };
    if (row.transport === "STDIO") {
      const env = openEnv(row.env);
      return {
        ...common,
        transport: "STDIO",
        url: row.url,
        serverId: row.id,
        command: row.command ?? "",
        ...(row.args ? { args: JSON.parse(row.args) as string[] } : {}),
        ...(env ? { env } : {}),
        ...(row.cwd ? { cwd: row.cwd } : {}),
      };
    }
    const headers = row.auth_value
      ? (JSON.parse(secrets.open(row.auth_value)) as Record<string, string>)
      : undefined;
    return {
      ...common,
      url: row.url,
      transport: row.transport as "SSE" | "STREAMABLEHTTP" | "WEBSOCKET",
      ...(headers ? { headers } : {}),
    };
  };

  const discoverRow = async (
    row: Pick<GatewaysTable, "id" | "url" | "transport" | "auth_value" | (typeof STDIO_FIELDS)[number]>,
  ): Promise<DiscoveredUpstream> => {
    try {
      return await options.discover(targetOf(row));
    } catch (error) {
      if (error instanceof UpstreamError) {
        // ContextForge: connection problems are 502, credential problems 422.
        throw new GatewayError(
          error.code === "unauthorized" ? "validation_failed" : "bad_gateway",
          error.message,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
  };

  const discoveredColumns = (found: DiscoveredUpstream, now: string): Partial<GatewaysTable> => ({
    capabilities: JSON.stringify(found.capabilities),
    protocol_version: found.protocolVersion,
    server_info: JSON.stringify(found.serverInfo),
    reachable: true,
    last_seen: now,
    last_error: null,
    consecutive_failures: 0,
    last_refresh_at: now,
    federation_id: gatewayIdOf(found.resultMeta) ?? null,
  });

  const sync = (
    tx: Db,
    row: GatewaysTable,
    found: DiscoveredUpstream,
    actor: string | undefined,
  ): Promise<SyncReport> =>
    syncGateway(tx, syncTarget(row), found, { separator, actor, resources: true, prompts: true });

  const checkSlug = async (tx: Db, id: string, name: string): Promise<string> => {
    const slug = slugify(name, "-");
    if (!slug)
      throw new GatewayError(
        "validation_failed",
        `gateway name ${JSON.stringify(name)} has no letters or digits`,
      );
    const holder = await valueTaken(tx, "gateways", "slug", slug, id);
    if (holder) throw new GatewayError("conflict", `Gateway name already exists: ${name} (id ${holder.id})`);
    return slug;
  };

  return {
    async list(query) {
      const page = await listRows<GatewaysTable>(db, "gateways", query);
      return { items: page.rows.map(read), nextCursor: page.nextCursor };
    },

    async get(id) {
      return read(await store.get(db, id));
    },

    async create(input, actor, options = {}) {
      const pending = options.pendingApproval;
      const id = newId();
      const stdio = input.transport === "STDIO";
      const url = stdio ? stdioUrl(await checkSlug(db, id, input.name)) : (input.url ?? "");
      const auth = sealAuth(input);
      const stdioRow = { command: null, args: null, env: null, cwd: null, ...stdioColumns(input, undefined) };
      // Discover before writing anything: an unreachable upstream leaves no trace.
      const found = pending
        ? undefined
        : await discoverRow({
            id,
            url,
            transport: input.transport,
            auth_value: auth.auth_value,
            ...stdioRow,
          });
      const now = nowIso();
      const row = await db.transaction().execute(async (tx) => {
        const slug = await checkSlug(tx, id, input.name);
        await insertRow<GatewaysTable>(tx, "gateways", {
          id,
          name: input.name,
          slug,
          url: stdio ? stdioUrl(slug) : url,
          description: input.description ?? null,
          transport: input.transport,
          ...stdioRow,
          passthrough_headers: input.passthrough_headers ? JSON.stringify(input.passthrough_headers) : null,
          ...auth,
          refresh_interval_seconds: input.refresh_interval_seconds ?? null,
          session_mode: input.session_mode ?? "auto",
          timeout_seconds: input.timeout_seconds ?? null,
          expose_original_names: input.expose_original_names ?? false,
          ...newEntityColumns(input, actor, now),
          capabilities: "{}",
          protocol_version: null,
          server_info: null,
          reachable: true,
          last_seen: null,
          last_error: null,
          consecutive_failures: 0,
          last_refresh_at: now,
          federation_id: null,
          ...(found
            ? discoveredColumns(found, now)
            : {
                enabled: false,
                reachable: false,
                federation_id: pending?.federationId ?? null,
                last_error: pending?.lastError ?? null,
              }),
        });
        const stored = await store.get(tx, id);
        if (found) await sync(tx, stored, found, actor);
        return store.snapshot(tx, id, "create", actor);
      });
      return read(row);
    },

    async update(id, input, actor) {
      const current = await store.get(db, id);
      if (current.transport === "REVERSE") checkReverseUpdate(input);
      const transport = input.transport ?? (current.transport as GatewayCreate["transport"]);
      if (current.transport !== "REVERSE") checkUpdateTransport(current, input, transport);
      const patch: Partial<GatewaysTable> = {};
      if (input.name !== undefined) {
        patch.name = input.name;
        patch.slug = await checkSlug(db, id, input.name);
      }
      if (input.url !== undefined) patch.url = input.url;
      if (input.transport !== undefined) patch.transport = input.transport;
      if (mentionsAuth(input)) Object.assign(patch, sealAuth(input));
      const stdioPatch = stdioColumns(input, current);
      Object.assign(patch, stdioPatch);
      if (transport === "STDIO") {
        const url = stdioUrl(patch.slug ?? current.slug);
        if (url !== current.url) patch.url = url;
        // Leaving HTTP: its credentials no longer apply.
        if (current.auth_type !== null) Object.assign(patch, { auth_type: null, auth_value: null });
      } else if (current.transport === "STDIO") {
        Object.assign(patch, { command: null, args: null, env: null, cwd: null });
      }
      if (input.description !== undefined) patch.description = input.description;
      if (input.passthrough_headers !== undefined)
        patch.passthrough_headers = JSON.stringify(input.passthrough_headers);
      if (input.refresh_interval_seconds !== undefined)
        patch.refresh_interval_seconds = input.refresh_interval_seconds;
      // Neither needs a new discovery; the new version retires the upstream sessions.
      if (input.session_mode !== undefined) patch.session_mode = input.session_mode;
      if (input.timeout_seconds !== undefined) patch.timeout_seconds = input.timeout_seconds;
      if (input.expose_original_names !== undefined)
        patch.expose_original_names = input.expose_original_names;
      Object.assign(patch, ownershipPatch(input));
      const next = { ...current, ...patch };
      const reconnect =
        patch.transport !== undefined ||
        patch.auth_value !== undefined ||
        Object.keys(stdioPatch).length > 0 ||
        (patch.url !== undefined && transport !== "STDIO");
      // A new address or credentials must work before they are saved.
      const found = reconnect ? await discoverRow(next) : undefined;
      const row = await db.transaction().execute(async (tx) => {
        const fresh = await store.get(tx, id);
        if (fresh.version !== current.version)
          throw new GatewayError("conflict", `gateway ${id} was changed concurrently; retry`);
        if (found) Object.assign(patch, discoveredColumns(found, nowIso()));
        const updated = await store.applyUpdate(tx, fresh, patch, "update", actor);
        if (found) await sync(tx, updated, found, actor);
        else if (patch.slug !== undefined || patch.expose_original_names !== undefined)
          await renameGatewayItems(tx, syncTarget(updated), separator, actor);
        return updated;
      });
      return read(row);
    },

    async setEnabled(id, enabled, actor) {
      const row = await db.transaction().execute(async (tx) => {
        const current = await store.get(tx, id);
        // As in ContextForge, a gateway's state applies to everything it provides. Of its items,
        // only tools have a `reachable` column: setting it on resources or prompts failed (500).
        for (const [table] of CHILDREN) {
          await tx
            .updateTable(table)
            .set({ enabled, ...(enabled && table === "tools" ? { reachable: true } : {}) } as never)
            .where("gateway_id", "=", id)
            .execute();
        }
        return current.enabled === enabled
          ? current
          : store.applyUpdate(tx, current, { enabled }, "state", actor);
      });
      return read(row);
    },

    async delete(id) {
      await db.transaction().execute(async (tx) => {
        await store.get(tx, id);
        for (const [table, entityType] of CHILDREN) {
          const children = await tx.selectFrom(table).select("id").where("gateway_id", "=", id).execute();
          for (const child of children) await deleteVersions(tx, entityType, child.id);
          await tx.deleteFrom(table).where("gateway_id", "=", id).execute();
        }
        await tx.deleteFrom("gateways").where("id", "=", id).execute();
        await deleteVersions(tx, "gateway", id);
      });
    },

    async versions(id) {
      return (await store.versions(id)).map(({ row, links: _links, ...meta }) => ({
        ...meta,
        definition: read(row),
      }));
    },

    async restore(id, version, actor) {
      const row = await store.restore(id, version, actor, async (tx, definition) => {
        await checkSlug(tx, id, definition.name);
      });
      return read(row);
    },

    async refresh(id, { resources, prompts }, actor) {
      if (refreshing.has(id))
        throw new GatewayError("conflict", `a refresh of gateway ${id} is already running`);
      refreshing.add(id);
      const started = performance.now();
      try {
        const current = await store.get(db, id);
        let found: DiscoveredUpstream;
        try {
          found = await discoverRow(current);
        } catch (error) {
          await db
            .updateTable("gateways")
            .set({
              last_error: (error as Error).message,
              consecutive_failures: current.consecutive_failures + 1,
            })
            .where("id", "=", id)
            .execute();
          throw error;
        }
        const report = await db.transaction().execute(async (tx) => {
          await tx
            .updateTable("gateways")
            .set(discoveredColumns(found, nowIso()))
            .where("id", "=", id)
            .execute();
          return syncGateway(tx, syncTarget(current), found, { separator, actor, resources, prompts });
        });
        return {
          gatewayId: id,
          success: true,
          error: null,
          toolsAdded: report.tools.added,
          toolsUpdated: report.tools.updated,
          toolsRemoved: report.tools.removed,
          resourcesAdded: report.resources.added,
          resourcesUpdated: report.resources.updated,
          resourcesRemoved: report.resources.removed,
          promptsAdded: report.prompts.added,
          promptsUpdated: report.prompts.updated,
          promptsRemoved: report.prompts.removed,
          validationErrors: report.errors,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
          refreshedAt: nowIso(),
        };
      } finally {
        refreshing.delete(id);
      }
    },
  };
}

/** The URL a stdio gateway is shown (and its items stored) with: readable, never dialled. */
function stdioUrl(slug: string): string {
  return `stdio://${slug}`;
}

/**
 * The transport rules an update must keep against the stored gateway: a gateway that is (or
 * becomes) STDIO needs a command and takes no URL or HTTP credentials; one that leaves STDIO needs
 * a URL; an HTTP or WebSocket one takes no stdio fields, and its URL (sent or stored) must suit the
 * transport (a change to WEBSOCKET alone cannot keep an http(s) URL).
 */
// How a reverse proxy is reached is its own business: it registers itself under its name.
const REVERSE_MANAGED = [
  "name",
  "url",
  "transport",
  "command",
  "args",
  "env",
  "cwd",
  "auth_type",
  "auth_token",
  "auth_username",
  "auth_password",
  "auth_header_key",
  "auth_header_value",
  "passthrough_headers",
] as const;

/** A reverse proxy's gateway: only what the gateway decides (description, ownership, limits) changes. */
function checkReverseUpdate(input: GatewayUpdate): void {
  const given = input as Record<string, unknown>;
  const managed = REVERSE_MANAGED.filter((field) => given[field] !== undefined);
  if (managed.length > 0) {
    throw validationError(
      managed.map((field) => ({
        loc: ["body", field],
        msg: "set by the reverse proxy that registered this gateway; change it on the proxy (--name, --local-stdio)",
        type: "value_error",
      })),
    );
  }
}

function checkUpdateTransport(current: GatewaysTable, input: GatewayUpdate, transport: string): void {
  const keptUrl = transport !== "STDIO" && current.transport !== "STDIO" ? current.url : undefined;
  const problems = transportProblems(
    { ...input, transport, url: input.url ?? keptUrl },
    { requireCommand: current.command === null, requireUrl: current.transport === "STDIO" },
  );
  if (problems.length > 0) {
    throw validationError(
      problems.map(({ path, message }) => ({ loc: ["body", path], msg: message, type: "value_error" })),
    );
  }
}

function syncTarget(row: GatewaysTable): SyncTarget {
  return {
    id: row.id,
    slug: row.slug,
    url: row.url,
    transport: row.transport,
    visibility: row.visibility,
    teamId: row.team_id,
    ownerEmail: row.owner_email,
    exposeOriginalNames: row.expose_original_names === true || row.expose_original_names === 1,
  };
}
