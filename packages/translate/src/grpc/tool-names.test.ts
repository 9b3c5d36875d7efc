import { describe, expect, it } from "vitest";
import { assignToolNames, sanitizeToolName } from "./tool-names.js";

describe("assignToolNames", () => {
  it("names a method <Service>.<Method> with the service's simple name", () => {
    expect(
      assignToolNames([
        { service: "acme.shop.v1.Inventory", method: "PutItem" },
        { service: "acme.shop.v1.Inventory", method: "GetItem" },
        { service: "Greeter", method: "SayHello" },
      ]),
    ).toEqual(["Inventory.PutItem", "Inventory.GetItem", "Greeter.SayHello"]);
  });

  it("uses the full service name when two services share a simple name", () => {
    expect(
      assignToolNames([
        { service: "acme.shop.v1.Inventory", method: "Get" },
        { service: "acme.shop.v2.Inventory", method: "Get" },
        { service: "acme.Billing", method: "Get" },
      ]),
    ).toEqual(["acme.shop.v1.Inventory.Get", "acme.shop.v2.Inventory.Get", "Billing.Get"]);
  });

  it("numbers names that are still equal after sanitizing", () => {
    expect(
      assignToolNames([
        { service: "a.S", method: "Get" },
        { service: "a.S", method: "Get" },
      ]),
    ).toEqual(["S.Get", "S.Get_2"]);
  });

  it("keeps suffixed names within 128 characters", () => {
    const method = "M".repeat(200);
    const [first, second] = assignToolNames([
      { service: "S", method },
      { service: "S", method },
    ]);
    expect(first).toHaveLength(128);
    expect(second).toHaveLength(128);
    expect(second?.endsWith("_2")).toBe(true);
  });
});

describe("sanitizeToolName", () => {
  it("replaces what MCP does not allow in a tool name with _", () => {
    expect(sanitizeToolName("Grüße.Say Hello/2")).toBe("Gr__e.Say_Hello_2");
    expect(sanitizeToolName("ok_name-1.2")).toBe("ok_name-1.2");
    expect(sanitizeToolName("")).toBe("_");
  });
});
