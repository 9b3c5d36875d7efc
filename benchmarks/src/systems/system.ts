import type { Endpoint } from "../client/endpoint.js";

/** A system under test, started and ready to be measured. */
export interface RunningSystem {
  /** Its endpoints, by a key the scenario's variants name (`http2025`, `http2026`, `sse`, ...). */
  readonly endpoints: Readonly<Record<string, Endpoint>>;
  /** The processes under test: CPU and RSS are read for these and all their descendants. */
  readonly roots: readonly number[];
  /** An upstream measured on its own (the HTTP upstream behind a gateway); empty when none. */
  readonly upstreamRoots: readonly number[];
  /** Ends every process it started and removes its temporary files. */
  stop(): Promise<void>;
}

/** How to start one system under test. */
export interface SystemSpec {
  /** A stable id used in the raw JSON and in ratios, e.g. `gateway-http`. */
  readonly id: string;
  /** What RESULTS.md shows, e.g. `gateway -> HTTP upstream, auth off`. */
  readonly label: string;
  start(): Promise<RunningSystem>;
}
