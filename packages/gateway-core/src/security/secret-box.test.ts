import { describe, expect, it } from "vitest";
import { createSecretBox } from "./secret-box.js";

describe("secret box", () => {
  const box = createSecretBox("a-long-enough-test-secret-of-32-chars!");

  it("round-trips and never stores the plaintext", () => {
    const sealed = box.seal('{"Authorization":"Bearer s3cret"}');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain("s3cret");
    expect(box.open(sealed)).toBe('{"Authorization":"Bearer s3cret"}');
    expect(box.seal("same")).not.toBe(box.seal("same"));
  });

  it("refuses a value sealed under another key, or tampered with", () => {
    const sealed = box.seal("secret");
    expect(() => createSecretBox("another-secret-another-secret-xx").open(sealed)).toThrow(
      /cannot be decrypted/,
    );
    const [version, iv, body] = sealed.split(".");
    const bytes = Buffer.from(body ?? "", "base64url");
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    const tampered = `${version}.${iv}.${bytes.toString("base64url")}`;
    expect(() => box.open(tampered)).toThrow(/cannot be decrypted/);
    expect(() => box.open("plain")).toThrow(/unknown format/);
  });
});
