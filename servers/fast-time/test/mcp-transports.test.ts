import { startProcess, stopAllProcesses } from "@contextforge/testing";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";
import { ChildProcessTransport } from "./helpers/child-process-transport.js";
import { BIN, startHttpBin } from "./helpers/fast-time-bin.js";

const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await stopAllProcesses();
});

type Negotiation = "legacy" | "auto";

async function connect(transport: "stdio" | "http", negotiation: Negotiation): Promise<Client> {
  const client = new Client(
    { name: "fast-time-test", version: "1.0.0" },
    { versionNegotiation: { mode: negotiation } },
  );
  clients.push(client);
  if (transport === "stdio") {
    const child = await startProcess(process.execPath, [BIN], { readyPattern: /serving MCP on stdio/ });
    await client.connect(new ChildProcessTransport(child.child));
  } else {
    const { url } = await startHttpBin();
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  }
  return client;
}

function textOf(result: { content?: unknown }): string {
  const [first] = (result.content ?? []) as { type: string; text?: string }[];
  return first?.type === "text" ? (first.text ?? "") : "";
}

describe.each([
  { transport: "stdio", negotiation: "legacy" },
  { transport: "stdio", negotiation: "auto" },
  { transport: "http", negotiation: "legacy" },
  { transport: "http", negotiation: "auto" },
] as const)("mcp-fast-time over $transport ($negotiation negotiation)", ({ transport, negotiation }) => {
  it("initializes and lists its tools with input and output schemas", async () => {
    const client = await connect(transport, negotiation);
    expect(client.getServerVersion()).toMatchObject({ name: "fast-time" });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(["convert_time", "get_system_time"]);
    const convert = tools.find((tool) => tool.name === "convert_time");
    expect(convert?.inputSchema.required).toEqual(["time", "source_timezone", "target_timezone"]);
    expect(convert?.outputSchema?.properties).toHaveProperty("difference_hours");
  });

  it("tells the current time in a timezone", async () => {
    const client = await connect(transport, negotiation);
    const before = Date.now();
    const result = await client.callTool({
      name: "get_system_time",
      arguments: { timezone: "Asia/Kolkata" },
    });
    expect(result.isError).toBeFalsy();
    const time = result.structuredContent as { timezone: string; datetime: string; utc_offset: string };
    expect(time).toMatchObject({ timezone: "Asia/Kolkata", utc_offset: "+05:30", is_dst: false });
    expect(time.datetime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+05:30$/);
    expect(Math.abs(Date.parse(time.datetime) - before)).toBeLessThan(10_000);
    expect(JSON.parse(textOf(result))).toEqual(time);
  });

  it("defaults to UTC", async () => {
    const client = await connect(transport, negotiation);
    const result = await client.callTool({ name: "get_system_time", arguments: {} });
    expect(result.structuredContent).toMatchObject({ timezone: "UTC", utc_offset: "+00:00" });
  });

  it("converts 12:00 UTC to 21:00 in Tokyo", async () => {
    const client = await connect(transport, negotiation);
    const result = await client.callTool({
      name: "convert_time",
      arguments: { time: "12:00", source_timezone: "UTC", target_timezone: "Asia/Tokyo" },
    });
    expect(result.isError).toBeFalsy();
    const conversion = result.structuredContent as {
      source: { datetime: string };
      target: { datetime: string };
    };
    expect(conversion).toMatchObject({
      source: { timezone: "UTC", utc_offset: "+00:00" },
      target: { timezone: "Asia/Tokyo", utc_offset: "+09:00" },
      difference_hours: 9,
      time_difference: "+9h",
    });
    expect(conversion.source.datetime).toMatch(/T12:00:00\+00:00$/);
    expect(conversion.target.datetime).toMatch(/T21:00:00\+09:00$/);
  });

  it("answers a bad timezone or time with an error result", async () => {
    const client = await connect(transport, negotiation);
    const badZone = await client.callTool({
      name: "get_system_time",
      arguments: { timezone: "Mars/Olympus" },
    });
    expect(badZone.isError).toBe(true);
    expect(textOf(badZone)).toContain("Invalid timezone 'Mars/Olympus'");
    const badTime = await client.callTool({
      name: "convert_time",
      arguments: { time: "25:00", source_timezone: "UTC", target_timezone: "Asia/Tokyo" },
    });
    expect(badTime.isError).toBe(true);
    expect(textOf(badTime)).toContain("Invalid time '25:00'");
  });

  it("reads the timezones resource", async () => {
    const client = await connect(transport, negotiation);
    const { resources } = await client.listResources();
    expect(resources).toContainEqual(expect.objectContaining({ uri: "time://timezones" }));
    const { contents } = await client.readResource({ uri: "time://timezones" });
    const [first] = contents;
    expect(first).toMatchObject({ uri: "time://timezones", mimeType: "application/json" });
    const body = JSON.parse(first && "text" in first ? first.text : "{}") as {
      timezones: { timezone: string; utc_offset: string }[];
    };
    expect(body.timezones).toContainEqual(
      expect.objectContaining({ timezone: "Asia/Tokyo", utc_offset: "+09:00" }),
    );
  });

  it("renders the compare_times prompt for a meeting time", async () => {
    const client = await connect(transport, negotiation);
    const { prompts } = await client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual(["compare_times"]);
    const prompt = await client.getPrompt({
      name: "compare_times",
      arguments: { timezones: "Asia/Tokyo, Asia/Kolkata", meeting_time: "12:00", source_timezone: "UTC" },
    });
    const [message] = prompt.messages;
    const text = message?.content.type === "text" ? message.content.text : "";
    expect(message?.role).toBe("user");
    expect(text).toContain("12:00 (UTC)");
    expect(text).toMatch(/- Asia\/Tokyo: 21:00 on \w+ \d{4}-\d{2}-\d{2} \(UTC\+09:00\)/);
    expect(text).toMatch(/- Asia\/Kolkata: 17:30 on /);
  });
});
