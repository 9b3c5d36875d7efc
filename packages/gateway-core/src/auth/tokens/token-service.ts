import { createHash, randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { DatabaseSchema } from "../../db/database-schema.js";
import { newId } from "../../db/row-values.js";
import { GatewayError, validationError } from "../../errors/gateway-error.js";
import { canSee } from "../access.js";
import type { JwtService } from "../jwt-service.js";
import type { Principal } from "../principal.js";
import { holdsFor } from "../rbac/permission-checks.js";
import { activeTeamExists, itemOwnership } from "../rbac/rbac-lookup-repository.js";
import {
  findToken,
  insertToken,
  listTokens,
  revokeToken,
  type TokenRecord,
  tokenNameTaken,
  updateToken,
} from "./token-repository.js";
import type {
  TokenCreate,
  TokenCreated,
  TokenListQuery,
  TokenPage,
  TokenRead,
  TokenScopeInput,
  TokenUpdate,
} from "./token-schema.js";

/** What the token service is built from. */
export interface TokenServiceOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly jwt: Pick<JwtService, "mint">;
  /** REQUIRE_TOKEN_EXPIRATION: every token needs `expires_in_days`. */
  readonly requireExpiration: boolean;
  /** Called after every committed change (invalidates the auth directory). */
  readonly changed: () => void;
}

/**
 * API tokens (`/tokens`): named, scoped JWTs whose scope lives in the database, so a change or a
 * revocation applies to the next request. Only interactive callers (login sessions, tokens minted
 * with the key) manage tokens: an API token can neither see nor mint others.
 */
export interface TokenService {
  /** Creates a token for the caller; the answer is the only place the token itself appears. */
  create(principal: Principal, input: TokenCreate): Promise<TokenCreated>;
  /** The caller's tokens. */
  list(principal: Principal, query: TokenListQuery): Promise<TokenPage>;
  /** One of the caller's tokens (404 for anyone else's). */
  get(principal: Principal, id: string): Promise<TokenRead>;
  /** Renames, re-describes, re-tags or re-scopes one of the caller's tokens. */
  update(principal: Principal, id: string, input: TokenUpdate): Promise<TokenRead>;
  /** Revokes one of the caller's tokens, effective on the next request. */
  revoke(principal: Principal, id: string, reason: string | null): Promise<void>;
  /** Platform admins: every user's tokens (or `user_email`'s). */
  listAll(principal: Principal, query: TokenListQuery): Promise<TokenPage>;
  /** Platform admins: revokes anyone's token. */
  adminRevoke(principal: Principal, id: string, reason: string | null): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function requireInteractive(principal: Principal): void {
  if (principal.via === "api_token") {
    throw new GatewayError(
      "forbidden",
      "Token management requires an interactive session: API tokens cannot list, create, change or revoke tokens",
    );
  }
}

function requireAdmin(principal: Principal): void {
  requireInteractive(principal);
  if (!principal.isAdmin) throw new GatewayError("forbidden", "Admin access required");
}

const notFound = (id: string): GatewayError => new GatewayError("not_found", `Token not found: ${id}`);

const expiryOf = (created: Date, days: number | null): string | null =>
  days === null ? null : new Date(created.getTime() + days * DAY_MS).toISOString();

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** Creates the token service. */
export function createTokenService({
  db,
  jwt,
  requireExpiration,
  changed,
}: TokenServiceOptions): TokenService {
  async function owned(principal: Principal, id: string): Promise<TokenRecord> {
    requireInteractive(principal);
    const record = await findToken(db, id);
    if (!record || record.read.user_email !== principal.subject) throw notFound(id);
    return record;
  }

  /** A scope never widens its owner's rights, and names a virtual server the owner can see. */
  async function checkScope(
    principal: Principal,
    scope: TokenScopeInput,
    teamId: string | null,
  ): Promise<void> {
    const missing = scope.permissions.filter((permission) => !holdsFor(principal, permission, teamId));
    if (missing.length > 0) {
      throw new GatewayError(
        "forbidden",
        `a token cannot carry permissions its owner does not hold${teamId === null ? "" : " in its team"}: ${missing.join(", ")}`,
      );
    }
    if (scope.server_id !== null) {
      const ownership = await itemOwnership(db, "servers", scope.server_id);
      if (!ownership || !canSee(principal, ownership)) {
        throw validationError([
          {
            loc: ["body", "scope", "server_id"],
            msg: `no such virtual server: ${scope.server_id}`,
            type: "not_found",
          },
        ]);
      }
    }
  }

  async function checkTeam(principal: Principal, teamId: string): Promise<void> {
    if (principal.teamIds.includes(teamId)) return;
    if (!principal.isAdmin) throw new GatewayError("forbidden", `you are not a member of team ${teamId}`);
    if (!(await activeTeamExists(db, teamId)))
      throw new GatewayError("not_found", `Team not found: ${teamId}`);
  }

  async function page(query: TokenListQuery, userEmail: string | undefined): Promise<TokenPage> {
    const { records, total } = await listTokens(db, {
      userEmail,
      includeInactive: query.include_inactive,
      limit: query.limit,
      offset: query.offset,
    });
    return { tokens: records.map((r) => r.read), total, limit: query.limit, offset: query.offset };
  }

  return {
    async create(principal, input) {
      requireInteractive(principal);
      if (!principal.known) {
        throw new GatewayError(
          "forbidden",
          "API tokens belong to stored users: sign in as one to create a token",
        );
      }
      if (input.team_id !== null) await checkTeam(principal, input.team_id);
      if (!holdsFor(principal, "tokens.create", input.team_id)) {
        throw new GatewayError("forbidden", "you may not create API tokens (tokens.create)");
      }
      if (input.expires_in_days === null && requireExpiration) {
        throw validationError([
          {
            loc: ["body", "expires_in_days"],
            msg: "tokens must expire (REQUIRE_TOKEN_EXPIRATION is on): give a number of days",
            type: "missing",
          },
        ]);
      }
      await checkScope(principal, input.scope, input.team_id);
      if (await tokenNameTaken(db, principal.subject, input.name)) {
        throw new GatewayError("conflict", `Token name already exists: ${input.name}`);
      }

      const jti = randomUUID();
      const created = new Date();
      const accessToken = await jwt.mint(principal.subject, {
        expiresInMinutes: input.expires_in_days === null ? 0 : input.expires_in_days * 24 * 60,
        claims: { token_use: "api" },
        jti,
      });
      const id = newId();
      try {
        await insertToken(db, {
          id,
          user_email: principal.subject,
          team_id: input.team_id,
          name: input.name,
          description: input.description,
          jti,
          token_hash: sha256(accessToken),
          server_id: input.scope.server_id,
          resource_scopes: JSON.stringify(input.scope.permissions),
          ip_restrictions: JSON.stringify(input.scope.ip_restrictions),
          public_only: input.public_only,
          tags: JSON.stringify(input.tags),
          created_at: created.toISOString(),
          expires_at: expiryOf(created, input.expires_in_days),
          last_used: null,
          is_active: true,
        });
      } catch (error) {
        // Two creates with one name at once: the unique constraint decides.
        if (await tokenNameTaken(db, principal.subject, input.name)) {
          throw new GatewayError("conflict", `Token name already exists: ${input.name}`, { cause: error });
        }
        throw error;
      }
      changed();
      const record = await findToken(db, id);
      if (!record) throw notFound(id);
      return { token: record.read, access_token: accessToken };
    },

    async list(principal, query) {
      requireInteractive(principal);
      return page(query, principal.subject);
    },

    async get(principal, id) {
      return (await owned(principal, id)).read;
    },

    async update(principal, id, input) {
      const record = await owned(principal, id);
      const teamId = record.read.team_id;
      if (!record.read.is_active) throw new GatewayError("conflict", `Token ${id} is revoked`);
      if (!holdsFor(principal, "tokens.create", teamId)) {
        throw new GatewayError("forbidden", "you may not change API tokens (tokens.create)");
      }
      if (input.scope) await checkScope(principal, input.scope, teamId);
      if (input.name !== undefined && (await tokenNameTaken(db, principal.subject, input.name, id))) {
        throw new GatewayError("conflict", `Token name already exists: ${input.name}`);
      }
      await updateToken(db, id, {
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.description === undefined ? {} : { description: input.description }),
        ...(input.tags === undefined ? {} : { tags: JSON.stringify(input.tags) }),
        ...(input.public_only === undefined ? {} : { public_only: input.public_only }),
        ...(input.scope === undefined
          ? {}
          : {
              server_id: input.scope.server_id,
              resource_scopes: JSON.stringify(input.scope.permissions),
              ip_restrictions: JSON.stringify(input.scope.ip_restrictions),
            }),
      });
      changed();
      return (await owned(principal, id)).read;
    },

    async revoke(principal, id, reason) {
      const record = await owned(principal, id);
      await revokeToken(db, record, principal.subject, reason ?? "Revoked by user");
      changed();
    },

    async listAll(principal, query) {
      requireAdmin(principal);
      return page(query, query.user_email);
    },

    async adminRevoke(principal, id, reason) {
      requireAdmin(principal);
      const record = await findToken(db, id);
      if (!record) throw notFound(id);
      await revokeToken(db, record, principal.subject, reason ?? `Revoked by admin ${principal.subject}`);
      changed();
    },
  };
}
