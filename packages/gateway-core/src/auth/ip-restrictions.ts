import { BlockList, isIP } from "node:net";

/** Whether `value` is a CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a single address. */
export function isCidr(value: string): boolean {
  const [address, bits, extra] = value.split("/");
  if (extra !== undefined || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** An IPv4 address written as IPv4-mapped IPv6 (`::ffff:10.0.0.1`), as Node reports it on dual-stack sockets. */
function unmapped(ip: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return match?.[1] ?? ip;
}

/** Whether the client address `ip` lies in one of `cidrs`. An unknown address never does. */
export function ipAllowed(ip: string | undefined, cidrs: readonly string[]): boolean {
  if (!ip) return false;
  const address = unmapped(ip);
  const family = isIP(address);
  if (family === 0) return false;
  const list = new BlockList();
  for (const cidr of cidrs) {
    if (!isCidr(cidr)) continue;
    const [network = "", bits] = cidr.split("/");
    const type = isIP(network) === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) list.addAddress(network, type);
    else list.addSubnet(network, Number(bits), type);
  }
  return list.check(address, family === 4 ? "ipv4" : "ipv6");
}
