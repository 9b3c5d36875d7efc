import { z } from "zod";
import type { EmailUsersTable } from "../../db/database-schema.js";
import { toBoolean } from "../../db/row-values.js";
import { PASSWORD_MAX_LENGTH } from "../passwords/password-policy.js";

/** A user as the API answers it (ContextForge's `EmailUserResponse`): never the password hash. */
export interface UserRead {
  readonly email: string;
  readonly full_name: string | null;
  readonly is_admin: boolean;
  readonly is_active: boolean;
  /** `local` for users with a password here. */
  readonly auth_provider: string;
  readonly created_at: string;
  readonly last_login: string | null;
  readonly password_change_required: boolean;
}

/** A new user, after validation. */
export interface UserCreate {
  readonly email: string;
  readonly password: string;
  readonly full_name?: string | null | undefined;
  readonly is_admin?: boolean | undefined;
  readonly is_active?: boolean | undefined;
  readonly password_change_required?: boolean | undefined;
}

/** What an administrator may change on a user. */
export interface UserUpdate {
  readonly full_name?: string | null | undefined;
  readonly is_admin?: boolean | undefined;
  readonly is_active?: boolean | undefined;
  readonly password_change_required?: boolean | undefined;
  /** A new password set by an administrator (the password policy applies). */
  readonly password?: string | undefined;
}

/** `POST /auth/email/login` and `/auth/login`. */
export interface LoginInput {
  readonly email: string;
  readonly password: string;
}

/** `POST /auth/email/change-password`. */
export interface ChangePasswordInput {
  readonly old_password: string;
  readonly new_password: string;
}

/** `GET /auth/email/admin/users` query parameters. */
export interface UserListQuery {
  readonly limit: number;
  readonly cursor: string | undefined;
  readonly includePagination: boolean;
}

/** The row as the API shows it. */
export function toUserRead(row: EmailUsersTable): UserRead {
  return {
    email: row.email,
    full_name: row.full_name,
    is_admin: toBoolean(row.is_admin),
    is_active: toBoolean(row.is_active),
    auth_provider: row.auth_provider,
    created_at: row.created_at,
    last_login: row.last_login,
    password_change_required: toBoolean(row.password_change_required),
  };
}

/** An email as stored and compared: trimmed and lower-case. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

// Letters, digits and the usual punctuation of a local part; dot-separated domain labels. Stricter
// than RFC 5322 on purpose: no quotes, spaces, angle brackets or comments.
const EMAIL_PATTERN =
  /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Whether a normalised email is well formed. */
export function isEmail(email: string): boolean {
  return email.length <= 255 && EMAIL_PATTERN.test(email);
}

const emailField = z
  .string()
  .trim()
  .toLowerCase()
  .max(255, "must be at most 255 characters")
  .refine(isEmail, "must be an email address");

// Policy rules (length, common passwords) are the service's: this only bounds the input.
const passwordField = z
  .string()
  .min(1, "must not be empty")
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`);

const fullNameField = z
  .string()
  .trim()
  .max(255, "must be at most 255 characters")
  .regex(/^[^<>\p{Cc}]*$/u, "must not contain < > or control characters")
  .nullable();

/** Login body: `email` (or ContextForge's compatible `username`) and `password`. */
export const loginSchema: z.ZodType<LoginInput> = z
  .strictObject({
    // Any string: an unknown or malformed email is a 401 like a wrong password, not a 422.
    email: z.string().max(255).optional(),
    username: z.string().max(255).optional(),
    password: passwordField,
  })
  .refine((body) => body.email !== undefined || body.username !== undefined, {
    message: "field required",
    path: ["email"],
  })
  .transform((body) => ({
    email: normalizeEmail(body.email ?? body.username ?? ""),
    password: body.password,
  }));

/** `POST /auth/email/admin/users` body. */
export const userCreateSchema: z.ZodType<UserCreate> = z.strictObject({
  email: emailField,
  password: passwordField,
  full_name: fullNameField.optional(),
  is_admin: z.boolean().optional(),
  is_active: z.boolean().optional(),
  password_change_required: z.boolean().optional(),
});

/** `POST /auth/email/register` body (ContextForge's public registration fields). */
export const registrationSchema: z.ZodType<UserCreate> = z.strictObject({
  email: emailField,
  password: passwordField,
  full_name: fullNameField.optional(),
});

/** `PUT /auth/email/admin/users/{email}` body. */
export const userUpdateSchema: z.ZodType<UserUpdate> = z.strictObject({
  full_name: fullNameField.optional(),
  is_admin: z.boolean().optional(),
  is_active: z.boolean().optional(),
  password_change_required: z.boolean().optional(),
  password: passwordField.optional(),
});

/** `POST /auth/email/change-password` body. */
export const changePasswordSchema: z.ZodType<ChangePasswordInput> = z.strictObject({
  old_password: passwordField,
  new_password: passwordField,
});

const booleanParam = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

/** Parses the list query with the page sizes: `limit` defaults to `pageSize`, 0 means `maxPageSize`. */
export function userListQuerySchema(limits: {
  readonly pageSize: number;
  readonly maxPageSize: number;
}): z.ZodType<UserListQuery> {
  return z
    .strictObject({
      limit: z.coerce.number().int().min(0).optional(),
      cursor: z.string().max(512).optional(),
      include_pagination: booleanParam.optional(),
    })
    .transform((q) => {
      const limit = q.limit === undefined ? limits.pageSize : q.limit === 0 ? limits.maxPageSize : q.limit;
      return {
        limit: Math.min(limit, limits.maxPageSize),
        cursor: q.cursor,
        includePagination: q.include_pagination ?? false,
      };
    });
}
