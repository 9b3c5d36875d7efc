/** An authenticated caller. Users, teams and roles extend it in the auth release. */
export interface Principal {
  /** The token subject: an email for users, or the basic-auth user name. */
  readonly subject: string;
  /** How the caller proved who it is. */
  readonly via: "jwt" | "basic" | "anonymous";
  /** The token id (`jti`), when authenticated by a token. */
  readonly tokenId?: string;
}

/** Hono's typed context variables set by the gateway's middleware. */
export interface GatewayEnv {
  Variables: {
    principal: Principal;
  };
}
