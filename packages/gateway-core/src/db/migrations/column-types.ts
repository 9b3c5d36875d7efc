import { type ColumnDataType, type Expression, sql } from "kysely";
import type { DialectName } from "../database-url.js";

/** Column types that differ between the engines, chosen once per migration run. */
export interface ColumnTypes {
  /** Large text (JSON documents, templates, encrypted secrets). */
  readonly longText: ColumnDataType | Expression<unknown>;
  /** Binary content. */
  readonly blob: ColumnDataType | Expression<unknown>;
}

/** MySQL's `text` stops at 64 KiB; JSON schemas and resource bodies can be larger. */
export function columnTypes(dialect: DialectName): ColumnTypes {
  switch (dialect) {
    case "mysql":
      return { longText: sql`longtext`, blob: sql`longblob` };
    case "postgres":
      return { longText: "text", blob: "bytea" };
    case "sqlite":
      return { longText: "text", blob: "blob" };
  }
}
