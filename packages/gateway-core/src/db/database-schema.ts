import type { Generated } from "kysely";

// Row types as stored. JSON columns hold strings and booleans may come back as 0/1: the
// repositories normalise both, so nothing above them sees an engine's quirks.

/** A boolean as an engine returns it (PostgreSQL: boolean; MySQL and SQLite: 0/1). */
export type DbBoolean = boolean | number;

/** Ownership, state and audit columns shared by registry tables. */
export interface CommonColumns {
  description: string | null;
  /** JSON array of strings. */
  tags: string;
  enabled: DbBoolean;
  team_id: string | null;
  owner_email: string | null;
  visibility: string;
  created_at: string;
  updated_at: string;
  created_by: string | null;
  modified_by: string | null;
  version: number;
}

export interface GatewaysTable extends CommonColumns {
  id: string;
  name: string;
  slug: string;
  url: string;
  transport: string;
  capabilities: string;
  protocol_version: string | null;
  server_info: string | null;
  auth_type: string | null;
  auth_value: string | null;
  passthrough_headers: string | null;
  reachable: DbBoolean;
  last_seen: string | null;
  last_error: string | null;
  consecutive_failures: number;
  refresh_interval_seconds: number | null;
  /** stdio gateways: the command to run (null for HTTP gateways). */
  command: string | null;
  /** stdio gateways: JSON array of arguments. */
  args: string | null;
  /** stdio gateways: SecretBox-sealed JSON object of environment variables. */
  env: string | null;
  /** stdio gateways: working directory. */
  cwd: string | null;
  /** auto | pooled | per_client: whether downstream sessions share upstream sessions. */
  session_mode: string;
  /** Seconds a call to this upstream may take; null: TOOL_TIMEOUT. */
  timeout_seconds: number | null;
  /** The federation id a peer ContextForge gateway reported at discovery; null for other servers. */
  federation_id: string | null;
  /** When its items were last discovered (registration, reconnecting update, refresh); null: never since 0007. */
  last_refresh_at: string | null;
  /** Tools and prompts keep the upstream's own names (no slug prefix), also on `/mcp`. */
  expose_original_names: DbBoolean;
}

export interface ToolsTable extends CommonColumns {
  id: string;
  original_name: string;
  custom_name: string | null;
  name: string;
  display_name: string | null;
  input_schema: string;
  output_schema: string | null;
  annotations: string;
  integration_type: string;
  request_type: string;
  url: string | null;
  headers: string | null;
  auth_type: string | null;
  auth_value: string | null;
  jsonpath_filter: string | null;
  gateway_id: string | null;
  reachable: DbBoolean;
  deleted_upstream: DbBoolean;
}

export interface ResourcesTable extends CommonColumns {
  id: string;
  uri: string;
  name: string;
  mime_type: string | null;
  size: number | null;
  uri_template: string | null;
  text_content: string | null;
  binary_content: Uint8Array | null;
  gateway_id: string | null;
  deleted_upstream: DbBoolean;
}

export interface PromptsTable extends CommonColumns {
  id: string;
  original_name: string;
  custom_name: string | null;
  display_name: string | null;
  name: string;
  template: string;
  arguments: string;
  gateway_id: string | null;
  deleted_upstream: DbBoolean;
}

export interface A2aAgentsTable extends CommonColumns {
  id: string;
  name: string;
  slug: string;
  endpoint_url: string;
  agent_type: string;
  protocol_version: string;
  capabilities: string;
  config: string;
  auth_type: string | null;
  auth_value: string | null;
  reachable: DbBoolean;
  last_interaction: string | null;
}

export interface ServersTable extends CommonColumns {
  id: string;
  name: string;
  icon: string | null;
  expose_original_names: DbBoolean;
}

export interface MetricsTable {
  id: string;
  entity_type: string;
  entity_id: string;
  server_id: string | null;
  recorded_at: string;
  duration_ms: number;
  success: DbBoolean;
  error_message: string | null;
}

export interface EntityVersionsTable {
  id: string;
  entity_type: string;
  entity_id: string;
  version: number;
  change: string;
  definition: string;
  changed_at: string;
  changed_by: string | null;
}

/** A local user (`email_users`). */
export interface EmailUsersTable {
  email: string;
  /** PHC string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`). */
  password_hash: string;
  full_name: string | null;
  is_admin: DbBoolean;
  is_active: DbBoolean;
  auth_provider: string;
  password_change_required: DbBoolean;
  failed_login_attempts: number;
  locked_until: string | null;
  last_login: string | null;
  password_changed_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A team (`email_teams`); every user has one personal team. */
export interface EmailTeamsTable {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  created_by: string;
  is_personal: DbBoolean;
  /** private | public (public teams can be discovered and joined on request). */
  visibility: string;
  max_members: number | null;
  is_active: DbBoolean;
  created_at: string;
  updated_at: string;
}

/** A membership (`email_team_members`); role is owner | member. */
export interface EmailTeamMembersTable {
  id: string;
  team_id: string;
  user_email: string;
  role: string;
  joined_at: string;
  invited_by: string | null;
  is_active: DbBoolean;
}

/** An invitation to a team (`email_team_invitations`), redeemed with a token shown once. */
export interface EmailTeamInvitationsTable {
  id: string;
  team_id: string;
  email: string;
  role: string;
  invited_by: string;
  invited_at: string;
  expires_at: string;
  token_hash: string;
  is_active: DbBoolean;
}

/** A role: a named set of permission strings for one scope (global | team | personal). */
export interface RolesTable {
  id: string;
  name: string;
  description: string | null;
  scope: string;
  /** JSON array of permission strings. */
  permissions: string;
  inherits_from: string | null;
  created_by: string;
  is_system_role: DbBoolean;
  is_active: DbBoolean;
  created_at: string;
  updated_at: string;
}

/** A role granted to a user in a scope (`scope_id` = the team for team and personal scope). */
export interface UserRolesTable {
  id: string;
  user_email: string;
  role_id: string;
  scope: string;
  scope_id: string | null;
  granted_by: string;
  granted_at: string;
  expires_at: string | null;
  is_active: DbBoolean;
}

/** An API token (`email_api_tokens`): only its SHA-256 is stored. */
export interface EmailApiTokensTable {
  id: string;
  user_email: string;
  team_id: string | null;
  name: string;
  description: string | null;
  jti: string;
  token_hash: string;
  server_id: string | null;
  /** JSON array of permission strings; empty = the owner's permissions. */
  resource_scopes: string;
  /** JSON array of CIDRs; empty = any address. */
  ip_restrictions: string;
  public_only: DbBoolean;
  /** JSON array of strings. */
  tags: string;
  created_at: string;
  expires_at: string | null;
  last_used: string | null;
  is_active: DbBoolean;
}

/** A revoked token id (logout, token deletion). */
export interface TokenRevocationsTable {
  jti: string;
  revoked_at: string;
  revoked_by: string;
  reason: string | null;
  expires_at: string | null;
}

/** A cached value (`CACHE_TYPE=database`). */
export interface CacheEntriesTable {
  key: string;
  value: string;
  /** ISO-8601 UTC; null = no expiry. */
  expires_at: string | null;
}

/** A message on the database bus (`CACHE_TYPE=database`). */
export interface BusEventsTable {
  /** From the engine's sequence: replicas read events in id order. */
  id: Generated<number>;
  topic: string;
  /** JSON. */
  payload: string;
  origin: string;
  created_at: string;
}

/** A named lease: periodic jobs run on the instance holding it (`leader_leases`). */
export interface LeaderLeasesTable {
  name: string;
  /** The holding instance's id. */
  holder: string;
  /** ISO-8601 UTC; the lease is free once this has passed. */
  expires_at: string;
}

/** This gateway's federation id: one row, `name` = `self` (`federation_identity`). */
export interface FederationIdentityTable {
  name: string;
  federation_id: string;
  created_at: string;
}

/** Every table, for `Kysely<DatabaseSchema>`. */
export interface DatabaseSchema {
  gateways: GatewaysTable;
  tools: ToolsTable;
  resources: ResourcesTable;
  prompts: PromptsTable;
  a2a_agents: A2aAgentsTable;
  servers: ServersTable;
  server_tools: { server_id: string; tool_id: string };
  server_resources: { server_id: string; resource_id: string };
  server_prompts: { server_id: string; prompt_id: string };
  server_a2a_agents: { server_id: string; a2a_agent_id: string };
  metrics: MetricsTable;
  entity_versions: EntityVersionsTable;
  email_users: EmailUsersTable;
  email_teams: EmailTeamsTable;
  email_team_members: EmailTeamMembersTable;
  email_team_invitations: EmailTeamInvitationsTable;
  roles: RolesTable;
  user_roles: UserRolesTable;
  email_api_tokens: EmailApiTokensTable;
  token_revocations: TokenRevocationsTable;
  cache_entries: CacheEntriesTable;
  bus_events: BusEventsTable;
  leader_leases: LeaderLeasesTable;
  federation_identity: FederationIdentityTable;
}
