import type { Kysely } from "kysely";
import type { DatabaseSchema } from "../../db/database-schema.js";
import { newId, nowIso } from "../../db/row-values.js";
import { GatewayError, validationError } from "../../errors/gateway-error.js";
import { holdsAnywhere } from "../access.js";
import type { Principal } from "../principal.js";
import { readsRoles, USER_MANAGEMENT } from "./permission-checks.js";
import {
  allRoles,
  deleteRole,
  findRole,
  hasHeirs,
  insertRole,
  type RoleRecord,
  roleNameTaken,
  toRoleRead,
  updateRole,
} from "./role-repository.js";
import type { RoleCreate, RoleListQuery, RoleRead, RoleUpdate } from "./role-schema.js";

/** What the role service is built from. */
export interface RoleServiceOptions {
  readonly db: Kysely<DatabaseSchema>;
  /** Called after every committed change (invalidates the auth directory). */
  readonly changed: () => void;
}

/**
 * Roles (`/rbac/roles`): platform admins create, change and delete them; user administrators
 * and team admins read them. The system roles are built in and cannot be changed or deleted.
 */
export interface RoleService {
  list(principal: Principal, query: RoleListQuery): Promise<RoleRead[]>;
  get(principal: Principal, id: string): Promise<RoleRead>;
  create(principal: Principal, input: RoleCreate): Promise<RoleRead>;
  /** System roles cannot be changed (403). */
  update(principal: Principal, id: string, input: RoleUpdate): Promise<RoleRead>;
  /** Deletes a role and its grants; system roles cannot be deleted (403). */
  delete(principal: Principal, id: string): Promise<void>;
}

const forbidden = (message: string): GatewayError => new GatewayError("forbidden", message);
const roleNotFound = (id: string): GatewayError => new GatewayError("not_found", `Role not found: ${id}`);

/**
 * Changing a role changes what everyone holding it may do, and whoever may edit a role they hold
 * could give themselves anything: platform admins only.
 */
function requirePlatformAdmin(principal: Principal): void {
  if (!principal.isAdmin || !holdsAnywhere(principal, USER_MANAGEMENT)) {
    throw forbidden("Admin access required to manage roles");
  }
}

function requireReader(principal: Principal): void {
  if (!readsRoles(principal)) {
    throw forbidden("you may not read roles (admin.user_management or teams.manage_members)");
  }
}

/** Creates the role service. */
export function createRoleService({ db, changed }: RoleServiceOptions): RoleService {
  async function read(id: string): Promise<RoleRead> {
    const all = await allRoles(db);
    const role = all.get(id);
    if (!role) throw roleNotFound(id);
    return toRoleRead(role, all);
  }

  /** The new parent exists and does not (through its own parents) lead back to `id`. */
  async function checkParent(parentId: string, id: string | undefined): Promise<void> {
    const all = await allRoles(db);
    const issue = (msg: string): GatewayError =>
      validationError([{ loc: ["body", "inherits_from"], msg, type: "value_error" }]);
    if (!all.has(parentId)) throw issue(`no such role: ${parentId}`);
    const seen = new Set<string>();
    for (let current = all.get(parentId); current && !seen.has(current.id); ) {
      if (current.id === id) throw issue("a role cannot inherit from itself, directly or through others");
      seen.add(current.id);
      current = current.inheritsFrom === null ? undefined : all.get(current.inheritsFrom);
    }
  }

  async function editable(principal: Principal, id: string): Promise<RoleRecord> {
    requirePlatformAdmin(principal);
    const role = await findRole(db, id);
    if (!role) throw roleNotFound(id);
    if (role.isSystemRole) throw forbidden(`System roles cannot be modified or deleted: ${role.name}`);
    return role;
  }

  return {
    async list(principal, query) {
      requireReader(principal);
      const all = await allRoles(db);
      return [...all.values()]
        .filter((role) => query.scope === undefined || role.scope === query.scope)
        .filter((role) => !query.active_only || role.isActive)
        .map((role) => toRoleRead(role, all));
    },

    async get(principal, id) {
      requireReader(principal);
      return read(id);
    },

    async create(principal, input) {
      requirePlatformAdmin(principal);
      if (input.inherits_from !== null) await checkParent(input.inherits_from, undefined);
      if (await roleNameTaken(db, input.name, input.scope)) {
        throw new GatewayError("conflict", `Role already exists: ${input.name} (${input.scope})`);
      }
      const id = newId();
      const now = nowIso();
      await insertRole(db, {
        id,
        name: input.name,
        description: input.description,
        scope: input.scope,
        permissions: JSON.stringify(input.permissions),
        inherits_from: input.inherits_from,
        created_by: principal.subject,
        is_system_role: false,
        is_active: true,
        created_at: now,
        updated_at: now,
      });
      changed();
      return read(id);
    },

    async update(principal, id, input) {
      const role = await editable(principal, id);
      if (input.inherits_from != null) await checkParent(input.inherits_from, id);
      if (input.name !== undefined && (await roleNameTaken(db, input.name, role.scope, id))) {
        throw new GatewayError("conflict", `Role already exists: ${input.name} (${role.scope})`);
      }
      await updateRole(db, id, {
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.description === undefined ? {} : { description: input.description }),
        ...(input.permissions === undefined ? {} : { permissions: JSON.stringify(input.permissions) }),
        ...(input.inherits_from === undefined ? {} : { inherits_from: input.inherits_from }),
        ...(input.is_active === undefined ? {} : { is_active: input.is_active }),
      });
      changed();
      return read(id);
    },

    async delete(principal, id) {
      const role = await editable(principal, id);
      if (await hasHeirs(db, id)) {
        throw new GatewayError("conflict", `other roles inherit from ${role.name}: change them first`);
      }
      await deleteRole(db, id);
      changed();
    },
  };
}
