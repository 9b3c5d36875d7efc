import { readFileSync } from "node:fs";

/**
 * Summarizes a V8 `.cpuprofile` (from `pnpm bench -- --profile`): self time by function and by
 * package, the quickest way to see where a gateway's time per call goes.
 *
 *   node benchmarks/dist/profile-summary.js <file.cpuprofile> [top]
 */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

const [file, topArg] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write("usage: profile-summary <file.cpuprofile> [top]\n");
  process.exit(1);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;

// Self time per node: the time deltas of the samples that landed on it.
const selfUs = new Map<number, number>();
const samples = profile.samples ?? [];
const deltas = profile.timeDeltas ?? [];
for (let i = 0; i < samples.length; i++) {
  const id = samples[i] as number;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
}
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

/** `pkg@version` from a node_modules path, the workspace package, `node:` or the engine. */
function packageOf(url: string): string {
  if (url === "") return "(engine: gc, idle, native)";
  if (url.startsWith("node:")) return "node: built-ins";
  const pnpm = /node_modules\/\.pnpm\/([^/]+)\//.exec(url);
  if (pnpm !== null) return (pnpm[1] as string).replace(/_.*$/, "");
  const workspace = /\/(packages|servers)\/([^/]+)\//.exec(url);
  return workspace === null ? url : `${workspace[1]}/${workspace[2]}`;
}

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  if (us === 0) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where =
    url === ""
      ? ""
      : ` ${url.replace(/^.*node_modules\/\.pnpm\//, "").replace(/^file:\/\/.*\/(packages|servers)\//, "$1/")}:${lineNumber + 1}`;
  const key = `${functionName || "(anonymous)"}${where}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  const pkg = packageOf(url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
}

const print = (title: string, map: Map<string, number>): void => {
  process.stdout.write(`\n${title}\n`);
  for (const [key, us] of [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(
      `${((us * 100) / totalUs).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}\n`,
    );
  }
};
process.stdout.write(`${file}: ${(totalUs / 1000).toFixed(0)} ms sampled\n`);
print("self time by package", byPackage);
print("self time by function", byFunction);
