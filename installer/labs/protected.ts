// The platform's own networks, which no lab VM may reach and no lab may open SSH from: node subnets and
// addresses, pod and service CIDRs, LoadBalancer pools, the API VIP, the ingress address and the BGP
// routers. `labs validate` refuses lab CIDRs that overlap them; the chart gets them through the
// ApplicationSet's own values (never from a lab file) and excepts them from every ipBlock.
import type { Site } from '../inventory/types.ts';

export interface Range {
  cidr: string;
  start: number;
  size: number;
}
export interface ProtectedRange extends Range {
  what: string;
}

/** "10.1.2.3/24" -> the network (host bits cleared); undefined when not an IPv4 CIDR. */
export function parseCidr(cidr: string): Range | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const o = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (o.some((x) => x > 255) || prefix > 32) return undefined;
  const ip = ((o[0]! * 256 + o[1]!) * 256 + o[2]!) * 256 + o[3]!;
  const size = 2 ** (32 - prefix);
  const start = ip - (ip % size);
  return { cidr: `${[24, 16, 8, 0].map((s) => Math.floor(start / 2 ** s) % 256).join('.')}/${prefix}`, start, size };
}

/** Whether the input had host bits set (10.0.5.10/24 means 10.0.5.0/24). */
export const isCanonical = (cidr: string) => parseCidr(cidr)?.cidr === cidr;
export const overlaps = (a: Range, b: Range) => a.start < b.start + b.size && b.start < a.start + a.size;
export const contains = (outer: Range, inner: Range) =>
  inner.start >= outer.start && inner.start + inner.size <= outer.start + outer.size;

/**
 * The IPv4 address a host name stands for as inet_aton (getaddrinfo, so Node's connect) reads it: 1 to 4 parts,
 * each decimal, 0-octal or 0x-hex, the last filling the remaining bytes; undefined when it is a name.
 */
export function inetAton(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const parts = host.split('.');
  if (parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    const n = /^0[xX][0-9a-fA-F]+$/.test(p)
      ? Number.parseInt(p.slice(2), 16)
      : /^0[0-7]*$/.test(p)
        ? Number.parseInt(p, 8)
        : /^[1-9][0-9]*$/.test(p)
          ? Number(p)
          : Number.NaN;
    if (!Number.isFinite(n)) return undefined;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 2 ** (8 * (4 - nums.length))) return undefined;
  const ip = nums.reduce((a, n, i) => a + n * 2 ** (24 - 8 * i), 0) + last;
  return [24, 16, 8, 0].map((sh) => Math.floor(ip / 2 ** sh) % 256).join('.');
}

export function protectedRanges(site: Site): ProtectedRange[] {
  const out: ProtectedRange[] = [];
  const add = (cidr: string, what: string) => {
    const r = parseCidr(cidr);
    // A /32 inside a range already listed adds nothing.
    if (r && !out.some((o) => contains(o, r))) out.push({ ...r, what });
  };
  for (const s of site.network.subnets) add(s.cidr, `node subnet ${s.name}`);
  add(site.network.podCidr, 'the pod CIDR');
  add(site.network.serviceCidr, 'the service CIDR');
  for (const p of site.bgp.pools) add(p.cidr, `LoadBalancer pool ${p.name}`);
  add(`${site.kubernetes.apiVip}/32`, 'the API VIP');
  if (site.ingress.address) add(`${site.ingress.address}/32`, 'the ingress address');
  for (const n of site.nodes) add(`${n.address}/32`, `node ${n.name}`);
  for (const r of site.bgp.routers) add(`${r.address}/32`, `BGP router ${r.name}`);
  for (const r of site.bgp.calicoPeers) add(`${r.address}/32`, `Calico BGP peer ${r.name}`);
  // What the inventory names by address off the cluster: the backup store (a VM could delete snapshots with
  // keys it found, or flood it) and the jump host; and the campus ranges the site lists (attacker trial: a lab
  // with internet: true reached all of them).
  // Read as inet_aton reads them: labctl's SSH reaches the jump host through getaddrinfo, which takes every
  // spelling (198.18.1285, 0xc6.0x12.5.5, 010.1.1.1 = 8.1.1.1); protect the address connected to, not the look-alike.
  const s3 = inetAton(/^https?:\/\/([^/:]+)/.exec(site.backup?.target.endpoint ?? '')?.[1]);
  if (s3) add(`${s3}/32`, 'the backup endpoint, backup.target.endpoint');
  for (const n of site.nodes) {
    const jump = inetAton(/^(?:[^@\s]+@)?([^:@\s]+)/.exec(n.ssh.jumpHost ?? '')?.[1]);
    if (jump) add(`${jump}/32`, `the jump host of node ${n.name}, ssh.jumpHost`);
  }
  for (const c of site.labs.protectedCidrs ?? []) add(c, 'a campus network of labs.protectedCidrs');
  // Larger ranges first, so a /32 listed before its subnet is dropped too.
  return out.filter((r, i) => !out.some((o, j) => j !== i && contains(o, r) && (o.size > r.size || j < i)));
}
