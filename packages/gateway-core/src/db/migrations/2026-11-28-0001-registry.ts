import type { CreateTableBuilder, Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { ColumnTypes } from "./column-types.js";

// Frozen: once released, never edit this file; add a new migration instead.
// Portable by construction: application-generated ids, varchar for indexed text, ISO-8601
// timestamps as varchar(32), JSON as text, booleans normalised in the repositories.

type Builder = CreateTableBuilder<string, never>;

/** Ownership, state and audit columns every registry entity has. */
function common(table: Builder, types: ColumnTypes): Builder {
  return table
    .addColumn("description", types.longText)
    .addColumn("tags", types.longText, (c) => c.notNull())
    .addColumn("enabled", "boolean", (c) => c.notNull())
    .addColumn("team_id", "varchar(36)")
    .addColumn("owner_email", "varchar(255)")
    .addColumn("visibility", "varchar(16)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .addColumn("created_by", "varchar(255)")
    .addColumn("modified_by", "varchar(255)")
    .addColumn("version", "integer", (c) => c.notNull());
}

async function up(db: Kysely<unknown>, types: ColumnTypes): Promise<void> {
  await common(
    db.schema
      .createTable("gateways")
      .ifNotExists()
      .addColumn("id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("name", "varchar(255)", (c) => c.notNull())
      .addColumn("slug", "varchar(255)", (c) => c.notNull().unique())
      .addColumn("url", "varchar(767)", (c) => c.notNull())
      .addColumn("transport", "varchar(32)", (c) => c.notNull())
      .addColumn("capabilities", types.longText, (c) => c.notNull())
      .addColumn("protocol_version", "varchar(32)")
      .addColumn("server_info", types.longText)
      .addColumn("auth_type", "varchar(32)")
      .addColumn("auth_value", types.longText)
      .addColumn("passthrough_headers", types.longText)
      .addColumn("reachable", "boolean", (c) => c.notNull())
      .addColumn("last_seen", "varchar(32)")
      .addColumn("last_error", types.longText)
      .addColumn("consecutive_failures", "integer", (c) => c.notNull())
      .addColumn("refresh_interval_seconds", "integer"),
    types,
  ).execute();

  await common(
    db.schema
      .createTable("tools")
      .ifNotExists()
      .addColumn("id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("original_name", "varchar(255)", (c) => c.notNull())
      .addColumn("custom_name", "varchar(255)")
      .addColumn("name", "varchar(255)", (c) => c.notNull().unique())
      .addColumn("display_name", "varchar(255)")
      .addColumn("input_schema", types.longText, (c) => c.notNull())
      .addColumn("output_schema", types.longText)
      .addColumn("annotations", types.longText, (c) => c.notNull())
      .addColumn("integration_type", "varchar(16)", (c) => c.notNull())
      .addColumn("request_type", "varchar(32)", (c) => c.notNull())
      .addColumn("url", "varchar(767)")
      .addColumn("headers", types.longText)
      .addColumn("auth_type", "varchar(32)")
      .addColumn("auth_value", types.longText)
      .addColumn("jsonpath_filter", types.longText)
      .addColumn("gateway_id", "varchar(36)", (c) => c.references("gateways.id").onDelete("cascade"))
      .addColumn("reachable", "boolean", (c) => c.notNull())
      .addColumn("deleted_upstream", "boolean", (c) => c.notNull()),
    types,
  ).execute();
  await db.schema
    .createIndex("tools_gateway_id_idx")
    .ifNotExists()
    .on("tools")
    .column("gateway_id")
    .execute();

  await common(
    db.schema
      .createTable("resources")
      .ifNotExists()
      .addColumn("id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("uri", "varchar(767)", (c) => c.notNull().unique())
      .addColumn("name", "varchar(255)", (c) => c.notNull())
      .addColumn("mime_type", "varchar(255)")
      .addColumn("size", "integer")
      .addColumn("uri_template", "varchar(767)")
      .addColumn("text_content", types.longText)
      .addColumn("binary_content", types.blob)
      .addColumn("gateway_id", "varchar(36)", (c) => c.references("gateways.id").onDelete("cascade"))
      .addColumn("deleted_upstream", "boolean", (c) => c.notNull()),
    types,
  ).execute();
  await db.schema
    .createIndex("resources_gateway_id_idx")
    .ifNotExists()
    .on("resources")
    .column("gateway_id")
    .execute();

  await common(
    db.schema
      .createTable("prompts")
      .ifNotExists()
      .addColumn("id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("original_name", "varchar(255)", (c) => c.notNull())
      .addColumn("custom_name", "varchar(255)")
      .addColumn("display_name", "varchar(255)")
      .addColumn("name", "varchar(255)", (c) => c.notNull().unique())
      .addColumn("template", types.longText, (c) => c.notNull())
      .addColumn("arguments", types.longText, (c) => c.notNull())
      .addColumn("gateway_id", "varchar(36)", (c) => c.references("gateways.id").onDelete("cascade"))
      .addColumn("deleted_upstream", "boolean", (c) => c.notNull()),
    types,
  ).execute();
  await db.schema
    .createIndex("prompts_gateway_id_idx")
    .ifNotExists()
    .on("prompts")
    .column("gateway_id")
    .execute();

  await common(
    db.schema
      .createTable("a2a_agents")
      .ifNotExists()
      .addColumn("id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("name", "varchar(255)", (c) => c.notNull())
      .addColumn("slug", "varchar(255)", (c) => c.notNull().unique())
      .addColumn("endpoint_url", "varchar(767)", (c) => c.notNull())
      .addColumn("agent_type", "varchar(64)", (c) => c.notNull())
      .addColumn("protocol_version", "varchar(32)", (c) => c.notNull())
      .addColumn("capabilities", types.longText, (c) => c.notNull())
      .addColumn("config", types.longText, (c) => c.notNull())
      .addColumn("auth_type", "varchar(32)")
      .addColumn("auth_value", types.longText)
      .addColumn("reachable", "boolean", (c) => c.notNull())
      .addColumn("last_interaction", "varchar(32)"),
    types,
  ).execute();

  await common(
    db.schema
      .createTable("servers")
      .ifNotExists()
      .addColumn("id", "varchar(36)", (c) => c.primaryKey())
      .addColumn("name", "varchar(255)", (c) => c.notNull().unique())
      .addColumn("icon", "varchar(767)"),
    types,
  ).execute();

  for (const [table, column, target] of [
    ["server_tools", "tool_id", "tools"],
    ["server_resources", "resource_id", "resources"],
    ["server_prompts", "prompt_id", "prompts"],
    ["server_a2a_agents", "a2a_agent_id", "a2a_agents"],
  ] as const) {
    await db.schema
      .createTable(table)
      .ifNotExists()
      .addColumn("server_id", "varchar(36)", (c) => c.notNull().references("servers.id").onDelete("cascade"))
      .addColumn(column, "varchar(36)", (c) => c.notNull().references(`${target}.id`).onDelete("cascade"))
      .addPrimaryKeyConstraint(`${table}_pk`, ["server_id", column])
      .execute();
    await db.schema.createIndex(`${table}_${column}_idx`).ifNotExists().on(table).column(column).execute();
  }

  await db.schema
    .createTable("metrics")
    .ifNotExists()
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("entity_type", "varchar(16)", (c) => c.notNull())
    .addColumn("entity_id", "varchar(36)", (c) => c.notNull())
    .addColumn("server_id", "varchar(36)")
    .addColumn("recorded_at", "varchar(32)", (c) => c.notNull())
    .addColumn("duration_ms", "double precision", (c) => c.notNull())
    .addColumn("success", "boolean", (c) => c.notNull())
    .addColumn("error_message", types.longText)
    .execute();
  await db.schema
    .createIndex("metrics_entity_idx")
    .ifNotExists()
    .on("metrics")
    .columns(["entity_type", "entity_id", "recorded_at"])
    .execute();

  await db.schema
    .createTable("entity_versions")
    .ifNotExists()
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("entity_type", "varchar(16)", (c) => c.notNull())
    .addColumn("entity_id", "varchar(36)", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("change", "varchar(16)", (c) => c.notNull())
    .addColumn("definition", types.longText, (c) => c.notNull())
    .addColumn("changed_at", "varchar(32)", (c) => c.notNull())
    .addColumn("changed_by", "varchar(255)")
    .addUniqueConstraint("entity_versions_entity_version_uq", ["entity_type", "entity_id", "version"])
    .execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    "entity_versions",
    "metrics",
    "server_a2a_agents",
    "server_prompts",
    "server_resources",
    "server_tools",
    "servers",
    "a2a_agents",
    "prompts",
    "resources",
    "tools",
    "gateways",
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}

/** The registry: gateways, tools, resources, prompts, A2A agents, virtual servers, metrics, versions. */
export function registryMigration(types: ColumnTypes): Migration {
  return { up: (db) => up(db, types), down };
}
