// Runs a script on a fake-rack host over real SSH, as `labctl up` runs a step (bash -s, script on stdin).
import type { FakeRack } from '../cluster/fakerack.ts';
import { connectNode } from '../../installer/cluster/hosts.ts';
import type { SiteNode } from '../../installer/inventory/types.ts';

export async function runScriptOn(
  rack: FakeRack,
  host: string,
  script: string,
  timeoutSec: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const node = {
    name: host,
    address: rack.address(host),
    ssh: { user: 'root', port: 22, privateKeyFile: rack.keyFile },
  } as unknown as SiteNode;
  const c = await connectNode(node, { privateKey: rack.privateKey, connectTimeoutMs: 5000 });
  try {
    const r = await c.runScript(script, { timeoutMs: timeoutSec * 1000, step: 'injection-test' });
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  } finally {
    c.close();
  }
}
