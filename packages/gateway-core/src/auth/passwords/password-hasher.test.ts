import { describe, expect, it } from "vitest";
import { createPasswordHasher } from "./password-hasher.js";

const CHEAP = { timeCost: 1, memoryCost: 8192, parallelism: 1 };

describe("password hasher", () => {
  it("hashes with argon2id and the default parameters (m=64 MiB, t=3, p=1)", async () => {
    const hasher = createPasswordHasher({ timeCost: 3, memoryCost: 65_536, parallelism: 1 });
    const stored = await hasher.hash("correct horse battery staple");
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hasher.verify(stored, "correct horse battery staple")).toBe(true);
    expect(hasher.needsRehash(stored)).toBe(false);
  });

  it("salts every hash and refuses a wrong password", async () => {
    const hasher = createPasswordHasher(CHEAP);
    const first = await hasher.hash("a long enough passphrase");
    const second = await hasher.hash("a long enough passphrase");
    expect(first).not.toBe(second);
    expect(await hasher.verify(first, "a long enough passphrase!")).toBe(false);
    expect(await hasher.verify(first, "")).toBe(false);
  });

  it("answers false, not an error, for a malformed stored hash", async () => {
    const hasher = createPasswordHasher(CHEAP);
    expect(await hasher.verify("not a hash", "whatever")).toBe(false);
    expect(await hasher.verify("", "whatever")).toBe(false);
    expect(hasher.needsRehash("not a hash")).toBe(true);
  });

  it("asks for a rehash when the cost parameters changed", async () => {
    const old = await createPasswordHasher(CHEAP).hash("another passphrase here");
    expect(createPasswordHasher(CHEAP).needsRehash(old)).toBe(false);
    expect(createPasswordHasher({ ...CHEAP, timeCost: 2 }).needsRehash(old)).toBe(true);
    expect(createPasswordHasher({ ...CHEAP, memoryCost: 16_384 }).needsRehash(old)).toBe(true);
    expect(createPasswordHasher({ ...CHEAP, parallelism: 2 }).needsRehash(old)).toBe(true);
  });

  it("spends a verification's work on the dummy check", async () => {
    const hasher = createPasswordHasher(CHEAP);
    await expect(hasher.verifyDummy("anything")).resolves.toBeUndefined();
  });
});
