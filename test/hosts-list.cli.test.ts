// `labctl hosts list` on a site whose inventory names an OpenSSH known_hosts file (ssh.knownHostsFile): each
// node's row shows the keys that file lists for it, the ones a connection accepts, and says so when it lists
// none or cannot be read (every connection to the node is refused then). No host is contacted.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE, ROOT, labctl } from './helpers.ts';
import { fingerprint } from '../installer/ssh/host-keys.ts';

const tmp = mkdtempSync(join(tmpdir(), 'labctl-hosts-list-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** An ed25519 host key as known_hosts writes it (type and base64 blob), and its blob. */
function hostKey(): { line: string; blob: Buffer } {
  const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
  return { line: `ssh-ed25519 ${blob.toString('base64')}`, blob };
}

/** The example inventory with every node's host keys in `file` instead of trust on first use. */
function inventoryWith(file: string): string {
  const inv = join(tmp, `inventory-${file.replace(/\W/g, '')}.yaml`);
  const text = readFileSync(EXAMPLE, 'utf8').replace(/^ssh:\n/m, `ssh:\n  knownHostsFile: ${file}\n`);
  expect(text).toContain(`knownHostsFile: ${file}`);
  writeFileSync(inv, text);
  return inv;
}

interface Row {
  node: string;
  address: string;
  fingerprints: string[];
  refused?: string;
}

describe('hosts list with ssh.knownHostsFile', () => {
  it('shows the keys the file lists for each node (by address or name), and names the nodes it would refuse', async () => {
    // It said "(see the file)" for every node, even when the file did not exist or listed none of them.
    const json = await labctl(['hosts', 'list', '-i', inventoryWith(join(tmp, 'none')), '--output', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const rows: Row[] = JSON.parse(json.stdout).hosts;
    const [first, second] = [hostKey(), hostKey()];
    const file = join(tmp, 'known_hosts');
    // One node by its address, one by its inventory name (both are how an admin writes them); the rest none.
    writeFileSync(file, `${rows[0]!.address.split(':')[0]} ${first.line}\n${rows[1]!.node} ${second.line}\n`);
    const r = await labctl(['hosts', 'list', '-i', inventoryWith(file), '--output', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const listed: Row[] = JSON.parse(r.stdout).hosts;
    expect(listed[0]!.fingerprints).toEqual([fingerprint(first.blob)]);
    expect(listed[1]!.fingerprints).toEqual([fingerprint(second.blob)]);
    expect(listed[2]!.fingerprints).toEqual([]);
    expect(listed[2]!.refused).toBe(
      `the file has no key for ${listed[2]!.address.split(':')[0]} or ${listed[2]!.node}: every connection to it is refused`,
    );
    const text = await labctl(['hosts', 'list', '-i', inventoryWith(join(tmp, 'none'))]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).not.toContain('(see the file)');
    expect(text.stdout.split('\n')[0]).toContain(
      `(none: cannot read ${join(tmp, 'none')} (ENOENT): every connection to it is refused)`,
    );
    expect(rows.every((h) => h.refused?.includes('ENOENT'))).toBe(true);
  });
});

// One reading of ssh.knownHostsFile for connecting and for hosts list: the connection's check read it with
// readFileSync, so a pipe named there (the inventory is Git content) made every connection wait forever.
describe('a pipe named as ssh.knownHostsFile', () => {
  it('is refused when connecting too, at once, not waited on', async () => {
    const fifo = join(tmp, 'known_hosts.fifo');
    execFileSync('mkfifo', [fifo]);
    const { blob } = hostKey();
    const script = `import { checkHostKey } from ${JSON.stringify(join(ROOT, 'installer/ssh/host-keys.ts'))};
const v = checkHostKey({ node: 'node1', host: '198.18.0.1', port: 22, knownHostsFile: ${JSON.stringify(fifo)} }, Buffer.from(${JSON.stringify(blob.toString('base64'))}, 'base64'));
console.log(JSON.stringify(v));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      timeout: 30_000,
      encoding: 'utf8',
    });
    const v = JSON.parse(out) as { ok: boolean; message?: string };
    expect(v.ok).toBe(false);
    expect(v.message).toContain(`cannot read ssh.knownHostsFile ${fifo} (`);
    expect(v.message).toContain('not a regular file');
  }, 60_000);
});
