import type { Spread, Target } from "../scenarios/scenario.js";

/** A number for a table: thousands separated, `-` when not measured. */
export function num(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return "-";
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A latency in ms: two decimals below 10 ms, one below 100, none above. */
export function ms(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "-";
  return num(value, value < 10 ? 2 : value < 100 ? 1 : 0);
}

/** `median (min-max)`, or the median alone when there was one repetition. */
export function spread(value: Spread | undefined, format: (n: number) => string): string {
  if (value === undefined || !Number.isFinite(value.median)) return "-";
  if (value.min === value.max) return format(value.median);
  return `${format(value.median)} (${format(value.min)}-${format(value.max)})`;
}

/** A ratio: `1.23x`. */
export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : "-";
}

/** `>= 0.6x`, `<= 250 MB`. */
export function targetText(target: Target, unit: string): string {
  const value = unit === "x" ? `${target.value}x` : `${num(target.value)} ${unit}`;
  return `${target.op === ">=" ? "≥" : "≤"} ${value}`;
}

/** `met`, `**missed**` or `not measured`. */
export function status(met: boolean | undefined): string {
  if (met === undefined) return "not measured";
  return met ? "met" : "**missed**";
}

/** Escapes a table cell. */
export function cellText(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}
