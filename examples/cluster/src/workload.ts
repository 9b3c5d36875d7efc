import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import {
  type ClientKind,
  connectV1Client,
  connectV2Client,
  type LoadClient,
  samplingAnswer,
} from "./load-client.js";

/** The four requests the workload mixes. */
export type OperationKind = "echo" | "progress" | "sampling" | "tools/list";

/** Options of {@link runWorkload}. */
export interface WorkloadOptions {
  /** The MCP endpoint, e.g. `http://127.0.0.1:4444/mcp`. */
  readonly url: string;
  readonly token: string;
  /** Name the sample server is registered under (tools are `<name>-echo`, ...). */
  readonly gatewayName: string;
  /** Concurrent sessionful clients. Default 20. */
  readonly clients?: number;
  /** How many of them use the SDK v1 (2025-06-18) instead of v2 (2025-11-25). Default 3. */
  readonly v1Clients?: number;
  /** Sequential requests per client. Default 100. */
  readonly requestsPerClient?: number;
  /** Progress notifications each `slow` call sends. Default 5. */
  readonly progressSteps?: number;
  /** Milliseconds between them. Default 20. */
  readonly progressStepMs?: number;
  /** A request not answered in this time fails (a hang shows as a failure). Default 15000. */
  readonly requestTimeoutMs?: number;
  /** After this many completed requests, `kill` is called once. */
  readonly killAfter?: number;
  /** Kills one replica; called once, when `killAfter` requests have completed. */
  readonly kill?: () => Promise<void>;
}

/** One request of the workload, as it went. */
export interface RequestRecord {
  readonly client: number;
  /** 0-based position in the client's sequence. */
  readonly seq: number;
  readonly kind: OperationKind;
  /** `performance.now()` at start and end. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** Answered, right or wrong (false: it threw or timed out). */
  readonly ok: boolean;
  readonly error?: string;
  /** Why the answer was wrong, when it was. */
  readonly wrong?: string;
  /** Progress notifications expected and received (`progress` calls only, else 0). */
  readonly progressExpected: number;
  readonly progressReceived: number;
}

/** Everything {@link runWorkload} observed. */
export interface WorkloadResult {
  readonly clientKinds: readonly ClientKind[];
  readonly requestsPerClient: number;
  readonly records: readonly RequestRecord[];
  readonly startedAt: number;
  readonly endedAt: number;
  /** `performance.now()` when `kill` was called; undefined without a kill. */
  readonly killedAt?: number;
  /** `performance.now()` when the killed replica had exited. */
  readonly killExitedAt?: number;
  /** Completed requests when the kill happened. */
  readonly killedAfter?: number;
}

/** Which operation request `seq` of client `client` is: 50% echo, 20% progress, 20% sampling, 10% tools/list. */
export function operationOf(client: number, seq: number): OperationKind {
  const slot = (client + seq) % 10;
  if (slot < 5) return "echo";
  if (slot < 7) return "progress";
  if (slot < 9) return "sampling";
  return "tools/list";
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return code === undefined || error.message.includes(String(code))
    ? error.message
    : `${error.message} (code ${String(code)})`;
}

interface Outcome {
  readonly wrong?: string;
  readonly progressExpected: number;
  readonly progressReceived: number;
}

/**
 * Connects the clients through `url` and runs `requestsPerClient` requests on each, sequential
 * per client and concurrent across clients, checking every answer: echo returns its unique
 * message, `slow` sends exactly its N progress notifications in order, `test_sampling` returns
 * what this client's sampling handler answered for that very prompt, tools/list holds echo.
 */
export async function runWorkload(options: WorkloadOptions): Promise<WorkloadResult> {
  const clientCount = options.clients ?? 20;
  const v1Count = Math.min(options.v1Clients ?? 3, clientCount);
  const perClient = options.requestsPerClient ?? 100;
  const steps = options.progressSteps ?? 5;
  const stepMs = options.progressStepMs ?? 20;
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const tool = (name: string): string => `${options.gatewayName}-${name}`;

  const connecting = await Promise.allSettled(
    Array.from({ length: clientCount }, (_, c) =>
      c < clientCount - v1Count
        ? connectV2Client(options.url, options.token, `load-v2-${c}`)
        : connectV1Client(options.url, options.token, `load-v1-${c}`),
    ),
  );
  const clients = connecting.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
  const refused = connecting.find((outcome) => outcome.status === "rejected");
  if (refused !== undefined) {
    await Promise.allSettled(clients.map((client) => client.close()));
    throw new Error(`a client could not connect to ${options.url}`, { cause: refused.reason });
  }

  const perform = async (
    client: LoadClient,
    c: number,
    seq: number,
    kind: OperationKind,
  ): Promise<Outcome> => {
    const nonce = `client ${c} request ${seq} ${randomBytes(6).toString("hex")}`;
    const none = { progressExpected: 0, progressReceived: 0 };
    switch (kind) {
      case "echo": {
        const { text } = await client.callTool(tool("echo"), { message: nonce }, timeoutMs);
        return text === nonce ? none : { ...none, wrong: `echo "${nonce}" answered "${text}"` };
      }
      case "progress": {
        const { text, progress } = await client.callTool(tool("slow"), { steps, stepMs }, timeoutMs);
        const inOrder = progress.every((value, index) => value === index + 1);
        const counts = { progressExpected: steps, progressReceived: progress.length };
        if (text !== `completed ${steps} steps`) return { ...counts, wrong: `slow answered "${text}"` };
        if (!inOrder) return { ...counts, wrong: `slow progress out of order: ${progress.join(",")}` };
        return counts;
      }
      case "sampling": {
        const { text } = await client.callTool(tool("test-sampling"), { prompt: nonce }, timeoutMs);
        const expected = `LLM response: ${samplingAnswer(nonce)}`;
        return text === expected ? none : { ...none, wrong: `sampling "${nonce}" answered "${text}"` };
      }
      case "tools/list": {
        const names = await client.listTools(timeoutMs);
        return names.includes(tool("echo")) ? none : { ...none, wrong: `tools/list without ${tool("echo")}` };
      }
    }
  };

  const records: RequestRecord[] = [];
  let completed = 0;
  let killedAt: number | undefined;
  let killedAfter: number | undefined;
  let killExitedAt: number | undefined;
  let killing: Promise<void> | undefined;
  const startedAt = performance.now();
  try {
    await Promise.all(
      clients.map(async (client, c) => {
        for (let seq = 0; seq < perClient; seq++) {
          const kind = operationOf(c, seq);
          const started = performance.now();
          let record: RequestRecord;
          try {
            const outcome = await perform(client, c, seq, kind);
            record = {
              client: c,
              seq,
              kind,
              startedAt: started,
              endedAt: performance.now(),
              ok: true,
              ...outcome,
            };
          } catch (error) {
            const progressExpected = kind === "progress" ? steps : 0;
            record = {
              client: c,
              seq,
              kind,
              startedAt: started,
              endedAt: performance.now(),
              ok: false,
              error: messageOf(error),
              progressExpected,
              progressReceived: 0,
            };
          }
          records.push(record);
          completed++;
          if (
            options.kill &&
            options.killAfter !== undefined &&
            killing === undefined &&
            completed >= options.killAfter
          ) {
            killedAt = performance.now();
            killedAfter = completed;
            killing = options.kill().then(() => {
              killExitedAt = performance.now();
            });
          }
        }
      }),
    );
    await killing;
  } finally {
    await Promise.allSettled(clients.map((client) => client.close()));
  }
  return {
    clientKinds: clients.map((client) => client.kind),
    requestsPerClient: perClient,
    records,
    startedAt,
    endedAt: performance.now(),
    ...(killedAt === undefined ? {} : { killedAt }),
    ...(killExitedAt === undefined ? {} : { killExitedAt }),
    ...(killedAfter === undefined ? {} : { killedAfter }),
  };
}
