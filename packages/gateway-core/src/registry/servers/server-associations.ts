import { validationError } from "../../errors/gateway-error.js";
import type { Db } from "../shared/entity-table.js";
import type { LinkedState } from "../shared/versioned-entity.js";
import type { ServerAssociations } from "./server-schema.js";

const LINKS = [
  { key: "tools", table: "server_tools", column: "tool_id", target: "tools", field: "associated_tools" },
  {
    key: "resources",
    table: "server_resources",
    column: "resource_id",
    target: "resources",
    field: "associated_resources",
  },
  {
    key: "prompts",
    table: "server_prompts",
    column: "prompt_id",
    target: "prompts",
    field: "associated_prompts",
  },
  {
    key: "a2aAgents",
    table: "server_a2a_agents",
    column: "a2a_agent_id",
    target: "a2a_agents",
    field: "associated_a2a_agents",
  },
] as const;

const EMPTY: ServerAssociations = { tools: [], resources: [], prompts: [], a2aAgents: [] };

/** The associations of each server in `ids`. */
export async function readAssociations(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, ServerAssociations>> {
  const out = new Map<
    string,
    { tools: string[]; resources: string[]; prompts: string[]; a2aAgents: string[] }
  >();
  for (const id of ids) out.set(id, { tools: [], resources: [], prompts: [], a2aAgents: [] });
  if (ids.length === 0) return out;
  for (const link of LINKS) {
    const rows = (await db
      .selectFrom(link.table)
      .select(["server_id", `${link.column} as item_id` as never])
      .where("server_id", "in", [...ids])
      .execute()) as unknown as { server_id: string; item_id: string }[];
    for (const row of rows.sort((a, b) => a.item_id.localeCompare(b.item_id)))
      out.get(row.server_id)?.[link.key].push(row.item_id);
  }
  return out;
}

/**
 * Replaces the associations given in `links` (the others stay). Every id must exist: unknown
 * ids are a 422 naming them, so a server never points at nothing.
 */
export async function writeAssociations(
  db: Db,
  serverId: string,
  links: Partial<ServerAssociations>,
): Promise<void> {
  for (const link of LINKS) {
    const ids = links[link.key];
    if (ids === undefined) continue;
    if (ids.length > 0) {
      const found = new Set(
        (
          await db
            .selectFrom(link.target)
            .select("id")
            .where("id", "in", [...ids])
            .execute()
        ).map((r) => r.id),
      );
      const unknown = ids.filter((id) => !found.has(id));
      if (unknown.length > 0) {
        throw validationError([
          {
            loc: ["body", "server", link.field],
            msg: `unknown id(s): ${unknown.join(", ")}`,
            type: "not_found",
          },
        ]);
      }
    }
    await db.deleteFrom(link.table).where("server_id", "=", serverId).execute();
    if (ids.length > 0) {
      await db
        .insertInto(link.table)
        .values(ids.map((id) => ({ server_id: serverId, [link.column]: id }) as never))
        .execute();
    }
  }
}

/** Associations as state versioned with the server row. */
export const serverLinks: LinkedState = {
  async read(db, id) {
    return (await readAssociations(db, [id])).get(id) ?? EMPTY;
  },
  async write(db, id, value) {
    const links = (value ?? EMPTY) as ServerAssociations;
    // Items deleted since that version cannot come back: restore what still exists.
    const existing: Partial<Record<keyof ServerAssociations, string[]>> = {};
    for (const link of LINKS) {
      const ids = links[link.key] ?? [];
      existing[link.key] =
        ids.length === 0
          ? []
          : (
              await db
                .selectFrom(link.target)
                .select("id")
                .where("id", "in", [...ids])
                .execute()
            ).map((r) => r.id);
    }
    await writeAssociations(db, id, existing);
  },
};
