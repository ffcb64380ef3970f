// Attack trial on labs.protectedCidrs' companions: a node's jump host given as an address joins the protected
// ranges, but it was recognised only as a dotted quad of decimals. labctl's SSH connects through getaddrinfo,
// which reads every inet_aton spelling: `ops@198.18.1285` reached the bastion 198.18.5.5 and left it open to lab
// VMs; `010.1.1.1` protected 10.1.1.1 while labctl connected to 8.1.1.1. The protected address must be the one
// Node connects to (dns.lookup here is the same getaddrinfo call).
import { lookup } from 'node:dns/promises';
import { describe, expect, it } from 'vitest';
import { inetAton, protectedRanges } from '../../installer/labs/protected.ts';
import { exampleCtx } from '../labs/helpers.ts';

const SPELLINGS = ['198.18.1285', '0xc6.0x12.5.5', '010.1.1.1', '3322545413', '198.18.5.5', '0306.022.05.05'];

describe('a jump host given as an address in another inet_aton spelling', () => {
  it('is protected as the address labctl connects to', async () => {
    for (const host of SPELLINGS) {
      const { address } = await lookup(host, { family: 4 });
      expect(inetAton(host), host).toBe(address);
      const site = exampleCtx().site;
      site.nodes[0]!.ssh.jumpHost = `ops@${host}:22`;
      const hit = protectedRanges(site).find((r) => r.what.startsWith('the jump host'));
      expect(hit?.cidr, host).toBe(`${address}/32`);
    }
  });

  it('a name is no address; spellings getaddrinfo refuses are none either', () => {
    for (const host of ['bastion.example.edu', '198.018.5.5', '1.2.3.4.5', '256.1.1.1', '0x', '1.2.65536'])
      expect(inetAton(host), host).toBeUndefined();
  });
});
