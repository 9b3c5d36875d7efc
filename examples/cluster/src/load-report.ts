import type { ProxyStats } from "./round-robin-proxy.js";
import type { OperationKind, RequestRecord, WorkloadResult } from "./workload.js";

/** One failed request, for the report. */
export interface FailureSample {
  readonly client: number;
  readonly seq: number;
  readonly kind: OperationKind;
  /** Start in ms after the SIGKILL (negative: before it), or after the run's start without a kill. */
  readonly startMs: number;
  readonly durationMs: number;
  readonly interruptedByKill: boolean;
  readonly error: string;
}

/** The figures of one load run, as printed in JSON. */
export interface LoadSummary {
  readonly clients: number;
  readonly clientKinds: Readonly<Record<string, number>>;
  readonly requests: number;
  /** Answered (right or wrong). */
  readonly ok: number;
  /** Threw or timed out, not counting those interrupted by the kill. */
  readonly failed: number;
  readonly failedByMessage: Readonly<Record<string, number>>;
  /**
   * Failed while in flight when the replica was killed: started before it had exited, ended
   * after the SIGKILL was sent.
   */
  readonly interruptedByKill: number;
  readonly interruptedByMessage: Readonly<Record<string, number>>;
  /** Failures saying 404, -32001 or "Session not found": a session a replica did not know. */
  readonly sessionNotFound: number;
  readonly progressCalls: number;
  readonly notificationsExpected: number;
  /** Expected minus received progress notifications, over the calls that were answered. */
  readonly lostNotifications: number;
  readonly wrongAnswers: number;
  readonly wrongAnswerSamples: readonly string[];
  /** Every failure (up to 40), times in ms relative to the SIGKILL when there was one. */
  readonly failures: readonly FailureSample[];
  readonly byKind: Readonly<Record<OperationKind, { ok: number; failed: number }>>;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly durationSeconds: number;
  /** Answered requests per second over the whole run. */
  readonly throughputPerSecond: number;
  /** Clients with a failure beyond one request in flight at the kill. */
  readonly clientsNotFinished: readonly number[];
  readonly killedAfter?: number;
  /** Requests that started once the killed replica was gone, and how many of them were answered. */
  readonly afterKill?: { readonly started: number; readonly ok: number };
  /** What the proxy counted, when the run owned it. */
  readonly proxy?: ProxyStats & { readonly servedAfterKill?: Readonly<Record<string, number>> };
}

// -32001 is also the SDK v1's own RequestTimeout code: a timeout is not a lost session.
const SESSION_NOT_FOUND = /session not found|\b404\b|-32001/i;
const TIMED_OUT = /request timed out/i;

function isSessionNotFound(error: string | undefined): boolean {
  return error !== undefined && SESSION_NOT_FOUND.test(error) && !TIMED_OUT.test(error);
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? 0) * 10) / 10;
}

function countBy(records: readonly RequestRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) {
    const key = (record.error ?? "").replace(/\s+/g, " ").slice(0, 200);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Reduces a workload's records (and the proxy's counters) to the run's figures. */
export function summarize(
  result: WorkloadResult,
  proxy?: ProxyStats & { readonly servedAfterKill?: Readonly<Record<string, number>> },
): LoadSummary {
  const { records, killedAt } = result;
  // Until the process is gone the kernel may still accept connections for it, which then break.
  const goneAt = result.killExitedAt ?? killedAt;
  const inFlightAtKill = (record: RequestRecord): boolean =>
    killedAt !== undefined &&
    goneAt !== undefined &&
    record.startedAt <= goneAt &&
    record.endedAt >= killedAt;
  const failures = records.filter((record) => !record.ok);
  const interrupted = failures.filter(inFlightAtKill);
  const failed = failures.filter((record) => !inFlightAtKill(record));
  const answered = records.filter((record) => record.ok);
  const wrong = answered.filter((record) => record.wrong !== undefined);
  const progress = records.filter((record) => record.kind === "progress");
  const latencies = answered.map((record) => record.endedAt - record.startedAt).sort((a, b) => a - b);
  const durationSeconds = (result.endedAt - result.startedAt) / 1000;

  const kinds: Record<string, number> = {};
  for (const kind of result.clientKinds) kinds[kind] = (kinds[kind] ?? 0) + 1;
  const byKind = {
    echo: { ok: 0, failed: 0 },
    progress: { ok: 0, failed: 0 },
    sampling: { ok: 0, failed: 0 },
    "tools/list": { ok: 0, failed: 0 },
  };
  for (const record of records) byKind[record.kind][record.ok ? "ok" : "failed"]++;

  const clientsNotFinished: number[] = [];
  for (let client = 0; client < result.clientKinds.length; client++) {
    const own = records.filter((record) => record.client === client);
    const beyondKill = own.filter((record) => !record.ok && !inFlightAtKill(record)).length;
    const atKill = own.filter((record) => !record.ok && inFlightAtKill(record)).length;
    if (own.length !== result.requestsPerClient || beyondKill > 0 || atKill > 1)
      clientsNotFinished.push(client);
  }
  const afterKill = goneAt === undefined ? undefined : records.filter((record) => record.startedAt > goneAt);

  return {
    clients: result.clientKinds.length,
    clientKinds: kinds,
    requests: records.length,
    ok: answered.length,
    failed: failed.length,
    failedByMessage: countBy(failed),
    interruptedByKill: interrupted.length,
    interruptedByMessage: countBy(interrupted),
    sessionNotFound: failures.filter((record) => isSessionNotFound(record.error)).length,
    progressCalls: progress.length,
    notificationsExpected: progress.reduce((sum, record) => sum + record.progressExpected, 0),
    lostNotifications: progress
      .filter((record) => record.ok)
      .reduce((sum, record) => sum + record.progressExpected - record.progressReceived, 0),
    wrongAnswers: wrong.length,
    wrongAnswerSamples: wrong.slice(0, 5).map((record) => record.wrong ?? ""),
    failures: failures.slice(0, 40).map((record) => ({
      client: record.client,
      seq: record.seq,
      kind: record.kind,
      startMs: Math.round(record.startedAt - (killedAt ?? result.startedAt)),
      durationMs: Math.round(record.endedAt - record.startedAt),
      interruptedByKill: inFlightAtKill(record),
      error: record.error ?? "",
    })),
    byKind,
    latencyMs: {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: percentile(latencies, 100),
    },
    durationSeconds: Math.round(durationSeconds * 100) / 100,
    throughputPerSecond: Math.round((answered.length / durationSeconds) * 10) / 10,
    clientsNotFinished,
    ...(result.killedAfter === undefined ? {} : { killedAfter: result.killedAfter }),
    ...(afterKill === undefined
      ? {}
      : { afterKill: { started: afterKill.length, ok: afterKill.filter((record) => record.ok).length } }),
    ...(proxy === undefined ? {} : { proxy }),
  };
}

/** The summary as a two-column table for people. */
export function formatSummary(summary: LoadSummary): string {
  const rows: [string, string][] = [
    [
      "clients",
      Object.entries(summary.clientKinds)
        .map(([kind, n]) => `${n} x ${kind}`)
        .join(", "),
    ],
    ["requests", String(summary.requests)],
    ["ok", String(summary.ok)],
    ["failed", String(summary.failed)],
    ["interrupted by the kill", String(summary.interruptedByKill)],
    ["session not found", String(summary.sessionNotFound)],
    [
      "lost notifications",
      `${summary.lostNotifications} of ${summary.notificationsExpected} (${summary.progressCalls} progress calls)`,
    ],
    ["wrong answers", String(summary.wrongAnswers)],
    [
      "latency p50 / p99 / max",
      `${summary.latencyMs.p50} / ${summary.latencyMs.p99} / ${summary.latencyMs.max} ms`,
    ],
    ["duration", `${summary.durationSeconds} s`],
    ["throughput", `${summary.throughputPerSecond} req/s`],
    [
      "clients not finished",
      summary.clientsNotFinished.length === 0 ? "none" : summary.clientsNotFinished.join(", "),
    ],
  ];
  if (summary.killedAfter !== undefined)
    rows.push(["replica killed after", `${summary.killedAfter} requests`]);
  if (summary.afterKill !== undefined)
    rows.push(["after the kill", `${summary.afterKill.ok} ok of ${summary.afterKill.started} started`]);
  if (summary.proxy !== undefined) {
    for (const [replica, count] of Object.entries(summary.proxy.served)) {
      const after = summary.proxy.servedAfterKill?.[replica];
      rows.push([
        `proxied to ${replica}`,
        after === undefined ? String(count) : `${count} (${after} after the kill)`,
      ]);
    }
  }
  for (const [message, count] of Object.entries(summary.failedByMessage))
    rows.push([`  failed: ${message}`, String(count)]);
  for (const [message, count] of Object.entries(summary.interruptedByMessage))
    rows.push([`  interrupted: ${message}`, String(count)]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n");
}

/** What a run must show, as one line per violation; empty when the cluster held up. */
export function problemsOf(summary: LoadSummary): string[] {
  const problems: string[] = [];
  if (summary.sessionNotFound > 0) problems.push(`${summary.sessionNotFound} session-not-found failures`);
  if (summary.lostNotifications > 0)
    problems.push(`${summary.lostNotifications} progress notifications lost`);
  if (summary.wrongAnswers > 0) problems.push(`${summary.wrongAnswers} wrong answers`);
  if (summary.failed > 0) problems.push(`${summary.failed} failures not explained by the kill`);
  if (summary.interruptedByKill > summary.clients)
    problems.push(`${summary.interruptedByKill} requests interrupted by the kill, more than one per client`);
  if (summary.clientsNotFinished.length > 0)
    problems.push(`clients ${summary.clientsNotFinished.join(", ")} did not finish their requests`);
  if (summary.afterKill !== undefined && summary.afterKill.ok === 0)
    problems.push("no request succeeded after the kill");
  return problems;
}
