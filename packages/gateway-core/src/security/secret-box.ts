import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { GatewayError } from "../errors/gateway-error.js";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Encrypts secrets for storage (upstream credentials, tokens) and decrypts them for use. */
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

/**
 * AES-256-GCM with a key derived from `AUTH_ENCRYPTION_SECRET` by HKDF-SHA256. Sealed values
 * look like `v1.<iv>.<ciphertext+tag>` (base64url); a wrong key or any tampering fails `open`.
 */
export function createSecretBox(secret: string): SecretBox {
  if (secret.length === 0) throw new Error("secret box: AUTH_ENCRYPTION_SECRET is empty");
  const key = Buffer.from(hkdfSync("sha256", secret, "contextforge", "secret-box-v1", 32));
  return {
    seal(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}.${iv.toString("base64url")}.${body.toString("base64url")}`;
    },
    open(sealed) {
      const [version, ivText, bodyText] = sealed.split(".");
      if (version !== VERSION || !ivText || !bodyText) {
        throw new GatewayError("internal", "stored secret has an unknown format");
      }
      const iv = Buffer.from(ivText, "base64url");
      const body = Buffer.from(bodyText, "base64url");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, iv);
        decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
        return Buffer.concat([
          decipher.update(body.subarray(0, body.length - TAG_BYTES)),
          decipher.final(),
        ]).toString("utf8");
      } catch (error) {
        throw new GatewayError(
          "internal",
          "stored secret cannot be decrypted (was AUTH_ENCRYPTION_SECRET changed?)",
          { cause: error },
        );
      }
    },
  };
}
