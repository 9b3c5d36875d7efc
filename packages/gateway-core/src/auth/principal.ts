/** How a caller proved who it is. */
export type AuthMethod = "jwt" | "api_token" | "basic" | "proxy" | "anonymous";

/** What an API token narrows its owner's rights to. */
export interface TokenScope {
  /** The API token's id (`email_api_tokens.id`). */
  readonly tokenRecordId: string;
  /** Only this virtual server's MCP endpoints. */
  readonly serverId: string | undefined;
  /** Only these permissions (intersected with the owner's); empty = the owner's. */
  readonly permissions: readonly string[];
  /** Only public items. */
  readonly publicOnly: boolean;
  /** Only this team's items (and public ones, and the owner's own). */
  readonly teamId: string | undefined;
}

/**
 * An authenticated caller with everything authorization needs, resolved from the in-memory auth
 * directory when the request was authenticated: deciding "may it see/use this" needs no query.
 */
export interface Principal {
  /** The user's email (or the basic-auth user name, or `anonymous`). */
  readonly subject: string;
  /** How the caller proved who it is. */
  readonly via: AuthMethod;
  /** The token id (`jti`), when authenticated by a token. */
  readonly tokenId?: string | undefined;
  /** Platform administrator (global `*`): sees and may do everything its token allows. */
  readonly isAdmin: boolean;
  /** Whether the subject is a user stored in the gateway (false for bare JWT subjects). */
  readonly known: boolean;
  /** The teams whose team-visible items the caller sees (after any token narrowing). */
  readonly teamIds: readonly string[];
  /** The user's personal team, when it has one. */
  readonly personalTeamId: string | undefined;
  /** Permissions granted everywhere. */
  readonly globalPermissions: readonly string[];
  /** Permissions granted in one team (its roles there; the personal team included). */
  readonly teamPermissions: ReadonlyMap<string, readonly string[]>;
  /** Set when authenticated by an API token: what the token narrows the user's rights to. */
  readonly token: TokenScope | undefined;
  /** The user must change the bootstrap password before doing anything else. */
  readonly passwordChangeRequired: boolean;
}

/** Hono's typed context variables set by the gateway's middleware. */
export interface GatewayEnv {
  Variables: {
    principal: Principal;
  };
}

/** A principal with every right: AUTH_REQUIRED off, basic auth, or an embedder's own calls. */
export function superPrincipal(subject: string, via: AuthMethod): Principal {
  return {
    subject,
    via,
    isAdmin: true,
    known: false,
    teamIds: [],
    personalTeamId: undefined,
    globalPermissions: ["*"],
    teamPermissions: new Map(),
    token: undefined,
    passwordChangeRequired: false,
  };
}
