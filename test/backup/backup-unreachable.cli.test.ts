// The backup commands through the real CLI when the API server cannot be reached: exit 1 with one line that
// names the server URL and the kubeconfig it came from, and says what to do; the kubeconfig is chosen by the
// one rule of installer/cluster/kube-access.ts (--kubeconfig, else <state dir>/admin.conf, else $KUBECONFIG).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, labctl } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'labctl-unreachable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A loopback port nothing listens on: bound by us, then closed. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const kubeconfig = (server: string) =>
  `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`;

let url: string;
let file: string;
beforeAll(async () => {
  url = `https://127.0.0.1:${await closedPort()}`;
  file = join(dir, 'closed.kubeconfig');
  writeFileSync(file, kubeconfig(url));
});

describe('labctl backup / restore with the API server unreachable (real CLI, closed loopback port)', () => {
  it.each([[['backup', 'list']], [['backup', 'now']], [['restore', '--plan']]])(
    '%j --kubeconfig FILE: exit 1 naming the server URL and the kubeconfig, and the next step',
    async (args) => {
      const r = await labctl([...args, '-i', EXAMPLE, '--kubeconfig', file], {
        env: { LABCTL_STATE_DIR: join(dir, 'empty-state'), KUBECONFIG: '' },
      });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(
        `cannot reach the API server ${url} named in ${file}: connection refused (ECONNREFUSED)`,
      );
      expect(r.stderr).toContain('Is the cluster up? labctl status');
      expect(r.stderr).toContain('--kubeconfig FILE');
      expect(r.stderr).not.toContain('API answered');
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
    },
  );

  it('without --kubeconfig: <state dir>/admin.conf first, then $KUBECONFIG (the rule of secrets apply)', async () => {
    const state = join(dir, 'state');
    mkdirSync(state, { recursive: true });
    const other = `https://127.0.0.1:${await closedPort()}`;
    // $KUBECONFIG alone (no admin.conf): it is used.
    const viaEnv = await labctl(['backup', 'list', '-i', EXAMPLE], {
      env: { LABCTL_STATE_DIR: state, KUBECONFIG: file },
    });
    expect(viaEnv.code, viaEnv.stderr).toBe(1);
    expect(viaEnv.stderr).toContain(`cannot reach the API server ${url} named in $KUBECONFIG (${file})`);
    // admin.conf in the state dir wins over $KUBECONFIG.
    writeFileSync(join(state, 'admin.conf'), kubeconfig(other));
    const viaAdmin = await labctl(['backup', 'list', '-i', EXAMPLE], {
      env: { LABCTL_STATE_DIR: state, KUBECONFIG: file },
    });
    expect(viaAdmin.code, viaAdmin.stderr).toBe(1);
    expect(viaAdmin.stderr).toContain(`cannot reach the API server ${other} named in ${join(state, 'admin.conf')}`);
    // Neither: a clear stop naming both ways.
    rmSync(join(state, 'admin.conf'));
    const none = await labctl(['backup', 'list', '-i', EXAMPLE], {
      env: { LABCTL_STATE_DIR: state, KUBECONFIG: join(dir, 'missing'), HOME: dir },
    });
    expect(none.code, none.stderr).toBe(1);
    expect(none.stderr).toContain(
      `no kubeconfig: labctl up writes ${join(state, 'admin.conf')} once the cluster is up`,
    );
  });
});
