// `labctl hosts list` and `labctl hosts trust NODE --fingerprint SHA256:...`.
import { showControls } from '../../core/show-controls.ts';
import { join } from 'node:path';
import { ExitError, UsageError } from '../../core/diagnostics.ts';
import { defaultStateDir, lockStateDir } from '../../cluster/journal.ts';
import {
  PIN_FILE,
  fingerprint,
  keyType,
  knownHostsFingerprints,
  pinnedFingerprints,
  replacePin,
} from '../../ssh/host-keys.ts';
import { printJson, type OutputFormat } from '../output.ts';
import { loadSite } from './cluster-common.ts';

export interface HostsTrustOptions {
  node: string;
  fingerprint: string;
  inventory: string;
  stateDir?: string;
  connectTimeout: number;
}

const FP = /^SHA256:[A-Za-z0-9+/]{43}$/;

export async function hostsTrustCommand(o: HostsTrustOptions): Promise<void> {
  const site = loadSite(o.inventory);
  const node = site.nodes.find((n) => n.name === o.node);
  if (!node)
    throw new UsageError(`hosts trust: unknown node ${o.node} (nodes: ${site.nodes.map((n) => n.name).join(', ')})`);
  if (!FP.test(o.fingerprint))
    throw new UsageError(
      `--fingerprint ${o.fingerprint}: expected SHA256: and 43 base64 characters, as ssh-keygen -lf prints it`,
    );
  if (node.ssh.hostKeys?.length || node.ssh.knownHostsFile) {
    const where = node.ssh.hostKeys?.length ? 'ssh.hostKeys' : `ssh.knownHostsFile (${node.ssh.knownHostsFile})`;
    throw new ExitError(
      `${o.node}'s host key is set by the inventory's ${where}, not pinned by labctl: put the new key there; nothing was changed`,
      1,
    );
  }
  const stateDir = o.stateDir ?? defaultStateDir(site);
  const pinFile = join(stateDir, PIN_FILE);
  const unlock = lockStateDir(stateDir);
  try {
    const { probeHostKey } = await import('../../ssh/remote.ts');
    const key = await probeHostKey(node, { connectTimeoutMs: o.connectTimeout * 1000, knownHosts: pinFile });
    const shown = fingerprint(key);
    if (shown !== o.fingerprint) {
      throw new ExitError(
        `${o.node} (${node.address}:${node.ssh.port}) shows ${shown} (${keyType(key)}), not ${o.fingerprint}; nothing was changed. Read the fingerprint again on the server's console; a different one means someone else answers at that address.`,
        1,
      );
    }
    const { previous } = replacePin({ node: node.name, host: node.address, port: node.ssh.port, pinFile }, key);
    const was = previous.filter((f) => f !== shown);
    process.stdout.write(
      `${o.node} (${node.address}:${node.ssh.port}) is now trusted with ${shown} (${keyType(key)})${was.length ? `; replaced ${was.join(', ')}` : ''}; pinned in ${pinFile}\n`,
    );
  } finally {
    unlock();
  }
}

export async function hostsListCommand(o: {
  inventory: string;
  stateDir?: string;
  output: OutputFormat;
}): Promise<void> {
  const site = loadSite(o.inventory);
  const pinFile = join(o.stateDir ?? defaultStateDir(site), PIN_FILE);
  const rows = site.nodes.map((n) => {
    const source = n.ssh.hostKeys?.length
      ? 'inventory ssh.hostKeys'
      : n.ssh.knownHostsFile
        ? `ssh.knownHostsFile ${n.ssh.knownHostsFile}`
        : `pinned in ${pinFile}`;
    // From ssh.knownHostsFile: the keys it lists for the node, as a connection reads them; none is a refusal.
    const known =
      !n.ssh.hostKeys?.length && n.ssh.knownHostsFile
        ? knownHostsFingerprints(n.ssh.knownHostsFile, n.address, n.ssh.port, n.name)
        : undefined;
    const fps = n.ssh.hostKeys?.length
      ? n.ssh.hostKeys
      : (known?.fingerprints ?? pinnedFingerprints(pinFile, n.address, n.ssh.port));
    const refused = known?.refused && `${known.refused}: every connection to it is refused`;
    return {
      node: n.name,
      address: `${n.address}:${n.ssh.port}`,
      source,
      fingerprints: fps,
      ...(refused ? { refused } : {}),
    };
  });
  if (o.output === 'json') {
    printJson({ hosts: rows });
    return;
  }
  for (const r of rows)
    process.stdout.write(
      // The pin file is state labctl wrote from what hosts answered: shown, never acted on by the terminal.
      `${showControls(`${r.node.padEnd(12)} ${r.address.padEnd(22)} ${r.fingerprints.join(', ') || (r.refused ? `(none: ${r.refused})` : '(not contacted yet: pinned on first contact)')}  [${r.source}]`)}\n`,
    );
}
