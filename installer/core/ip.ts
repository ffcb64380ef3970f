// IPv4 helpers on top of cidr-tools (which does the CIDR math); only thin, named conveniences here.
import { containsCidr, normalizeCidr, overlapCidr, parseCidr } from 'cidr-tools';

export const overlaps = (a: string, b: string): boolean => overlapCidr(a, b);
export const contains = (net: string, ipOrNet: string): boolean => containsCidr(net, ipOrNet);
/** The network address form of a CIDR (10.10.1.5/24 -> 10.10.1.0/24). */
export const canonical = (cidr: string): string => normalizeCidr(cidr);
export const hasHostBits = (cidr: string): boolean => canonical(cidr) !== cidr;

const toIp = (n: bigint): string => [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');

/** The first address a host may use (network+1 for /0-/30; the network itself for /31 and /32). */
export function firstUsable(cidr: string): string {
  const p = parseCidr(cidr);
  return toIp(p.end - p.start >= 3n ? p.start + 1n : p.start);
}

/** Number of addresses in the CIDR. */
export const size = (cidr: string): bigint => {
  const p = parseCidr(cidr);
  return p.end - p.start + 1n;
};

/** nth address of a CIDR (0 = network address). */
export const nth = (cidr: string, n: number): string => toIp(parseCidr(cidr).start + BigInt(n));
