import type { CellRef, Variant } from "./scenario.js";

/** Echo variants: every endpoint at every concurrency, keyed `<endpoint>-c<n>`. */
export function echoVariants(endpoints: readonly string[], concurrencies: readonly number[]): Variant[] {
  return endpoints.flatMap((endpoint) =>
    concurrencies.map((concurrency) => ({
      key: `${endpoint}-c${concurrency}`,
      endpoint,
      concurrency,
      workload: { kind: "echo" } as const,
    })),
  );
}

/** A reference to the cell of `system` measured on `endpoint` at concurrency `c`. */
export function cell(system: string, endpoint: string, c: number): CellRef {
  return { system, variant: `${endpoint}-c${c}` };
}
