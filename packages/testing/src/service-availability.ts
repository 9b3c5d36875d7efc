import { SERVICE_PROBES } from "./service-probes.js";
import { redactUrl, type ServiceName, serviceEnvVar, serviceLabel, serviceUrl } from "./service-url.js";

/** The answer of {@link serviceAvailability}: usable, or not with the reason why. */
export type ServiceAvailability =
  | { readonly service: ServiceName; readonly url: string; readonly available: true }
  | {
      readonly service: ServiceName;
      readonly url: string;
      readonly available: false;
      readonly reason: string;
    };

/** Options for {@link serviceAvailability}. */
export interface ServiceAvailabilityOptions {
  /** Probe this URL instead of the one from the environment. */
  readonly url?: string;
  /** How long the probe may take before the service counts as unreachable. Default 2000 ms. */
  readonly timeoutMs?: number;
}

/** Thrown on CI when a service the suites need does not answer: CI must never skip silently. */
export class ServiceUnavailableError extends Error {
  readonly code = "SERVICE_UNAVAILABLE";
  readonly service: ServiceName;
  readonly url: string;

  constructor(service: ServiceName, url: string, reason: string, options?: ErrorOptions) {
    super(
      `${serviceLabel(service)} at ${redactUrl(url)} is not reachable: ${reason} ` +
        `(set ${serviceEnvVar(service)} to point the tests at another instance)`,
      options,
    );
    this.name = "ServiceUnavailableError";
    this.service = service;
    this.url = url;
  }
}

/** `CI` counts as set unless it is empty, `0` or `false`. */
export function isCi(): boolean {
  const value = process.env.CI?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

const reported = new Set<string>();

function reportSkipOnce(service: ServiceName, url: string, reason: string): void {
  const key = `${service} ${url}`;
  if (reported.has(key)) return;
  reported.add(key);
  console.warn(
    `[@contextforge/testing] skipping suites that need ${serviceLabel(service)}: ` +
      `${serviceLabel(service)} at ${redactUrl(url)} is not reachable: ${reason}`,
  );
}

function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(describeError))].join("; ");
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const message = error.message || error.name;
    return typeof code === "string" && !message.includes(code) ? `${code} ${message}` : message;
  }
  return String(error);
}

function withTimeout(work: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Probes whether `service` answers, for `describe.skipIf(!availability.available)`.
 *
 * Locally an unreachable service resolves `{ available: false, reason }` and prints once per
 * process which suites are skipped and why. When `CI` is set it rejects with a
 * {@link ServiceUnavailableError} instead, so a broken CI service fails the run rather than
 * skipping it.
 */
export async function serviceAvailability(
  service: ServiceName,
  options: ServiceAvailabilityOptions = {},
): Promise<ServiceAvailability> {
  const url = options.url ?? serviceUrl(service);
  const timeoutMs = options.timeoutMs ?? 2_000;
  const probe = SERVICE_PROBES[service](url, timeoutMs);
  try {
    await withTimeout(probe, timeoutMs + 500);
    return { service, url, available: true };
  } catch (error) {
    // The race may have abandoned the probe; keep its late rejection from going unhandled.
    probe.catch(() => {});
    const reason = describeError(error);
    if (isCi()) throw new ServiceUnavailableError(service, url, reason, { cause: error });
    reportSkipOnce(service, url, reason);
    return { service, url, available: false, reason };
  }
}
