// Boundary 3: a host answering at the first control plane's address (first contact pins whatever answers, or a
// control plane taken over) sends the admin kubeconfig `labctl up` keeps and hands to helm, kubectl and its own
// client. labctl wrote the host's text as it came (only the first `server:` replaced), so a user's `exec` plugin
// in it was a command that ran on the admin machine (the one holding the site key and the SSH keys) as soon as
// anything read the kubeconfig. Now labctl builds the kubeconfig from the cluster CA, client certificate and key
// alone. An in-process SSH server (ssh2) on loopback stands in for the host; real kubectl reads what was written.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSsh2 } from './ssh2-server.ts';
import { fetchKubeconfig } from '../../installer/cluster/handover.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { ROOT } from '../helpers.ts';

interface Channel {
  write(b: string): boolean;
  on(e: 'error', f: () => void): void;
  exit(code: number): void;
  end(): void;
}
interface Conn {
  on(e: 'error', f: () => void): void;
  on(e: 'authentication', f: (ctx: { accept(): void }) => void): void;
  on(e: 'ready', f: () => void): void;
  on(e: 'session', f: (accept: () => { on(e: 'exec', f: (accept: () => Channel) => void): void }) => void): void;
}
const { Server, utils } = loadSsh2<Conn>();
const hostKey = utils.generateKeyPairSync('ed25519');
const clientKey = utils.generateKeyPairSync('ed25519');

const dir = mkdtempSync(join(tmpdir(), 'admin-kubeconfig-'));
const CANARY = join(dir, 'PWNED');
// One self-signed certificate serves as CA and client certificate: kubectl reads them before it asks a plugin.
execFileSync(
  'openssl',
  [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    join(dir, 'k.pem'),
    '-out',
    join(dir, 'c.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=kubernetes-admin',
  ],
  { stdio: 'ignore' },
);
const CA = readFileSync(join(dir, 'c.pem')).toString('base64');
const CERT = CA;
const KEY = readFileSync(join(dir, 'k.pem')).toString('base64');

/** What the host answers to `cat /etc/kubernetes/admin.conf`. */
let answer = '';
const kubeadmShape = (user: string) => `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${CA}
    server: https://10.10.0.10:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: kubernetes-admin
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
kind: Config
users:
- name: kubernetes-admin
  user:
${user}`;
const EXEC = `    exec:
      apiVersion: client.authentication.k8s.io/v1
      interactiveMode: Never
      command: /bin/sh
      args: ["-c", "touch ${CANARY}; echo '{\\"apiVersion\\":\\"client.authentication.k8s.io/v1\\",\\"kind\\":\\"ExecCredential\\",\\"status\\":{\\"token\\":\\"x\\"}}'"]
`;

const server = new Server({ hostKeys: [hostKey.private] }, (c) => {
  c.on('error', () => undefined);
  c.on('authentication', (ctx) => ctx.accept());
  c.on('ready', () =>
    c.on('session', (accept) =>
      accept().on('exec', (acc) => {
        const ch = acc();
        ch.on('error', () => undefined);
        ch.write(answer);
        ch.exit(0);
        ch.end();
      }),
    ),
  );
});
let port = 0;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = server.address().port;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const site = () =>
  ({
    nodes: [
      {
        name: 'cp1',
        roles: ['control-plane'],
        address: '10.10.0.10',
        ssh: { user: 'root', port, privateKeyFile: 'unused' },
      },
    ],
    // The API address the kubeconfig is pointed at: a closed loopback port, so kubectl fails fast after
    // its credentials (an exec plugin runs before the connection).
    kubernetes: { apiDnsName: '127.0.0.1' },
  }) as unknown as Site;

const fetch = (stateDir: string) =>
  fetchKubeconfig(site(), {
    stateDir,
    addresses: { cp1: '127.0.0.1' },
    privateKey: clientKey.private,
    connectTimeoutMs: 10_000,
    waitTimeoutMs: 1000,
    log: () => undefined,
  });

const kubectl = (kubeconfig: string) =>
  new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(
      join(ROOT, '.tools/bin/kubectl'),
      ['--kubeconfig', kubeconfig, 'get', 'namespaces', '--request-timeout=5s'],
      { timeout: 30_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } },
      (e, _out, stderr) => resolve({ code: e ? 1 : 0, stderr: String(stderr) }),
    ),
  );

describe("attack: the first control plane's admin.conf carries an exec plugin", () => {
  it('an exec plugin instead of a client certificate: refused, nothing written; nothing runs on this machine', async () => {
    answer = kubeadmShape(EXEC);
    rmSync(CANARY, { force: true });
    const stateDir = join(dir, 'state-a');
    const got = await fetch(stateDir).then(
      (file) => file,
      (e: unknown) => e,
    );
    // What helm and kubectl do with a kubeconfig labctl wrote (before: the host's text as it came).
    if (typeof got === 'string') await kubectl(got);
    expect(existsSync(CANARY), 'the exec plugin ran on this machine').toBe(false);
    expect(got).toBeInstanceOf(Error);
    expect((got as Error).message).toMatch(
      /^cp1 \[fetch-kubeconfig\]: \/etc\/kubernetes\/admin.conf is not what kubeadm writes \(no client-certificate-data\)/,
    );
    expect(existsSync(join(stateDir, 'admin.conf'))).toBe(false);
  }, 60_000);

  it('cert, key and an exec plugin: labctl keeps the CA, cert and key only', async () => {
    answer = kubeadmShape(`    client-certificate-data: ${CERT}\n    client-key-data: ${KEY}\n${EXEC}`);
    const file = await fetch(join(dir, 'state-b'));
    const kc = parse(readFileSync(file, 'utf8'));
    expect(kc.users).toEqual([
      { name: 'kubernetes-admin', user: { 'client-certificate-data': CERT, 'client-key-data': KEY } },
    ]);
    expect(kc.clusters).toEqual([
      { name: 'kubernetes', cluster: { 'certificate-authority-data': CA, server: 'https://127.0.0.1:6443' } },
    ]);
  }, 60_000);

  it("a second cluster that current-context names: labctl takes that context's CA but its own server", async () => {
    answer = `${kubeadmShape(`    client-certificate-data: ${CERT}\n    client-key-data: ${KEY}\n`)}`
      .replace('current-context: kubernetes-admin@kubernetes', 'current-context: evil')
      .replace('contexts:\n', 'contexts:\n- context: {cluster: evil, user: kubernetes-admin}\n  name: evil\n')
      .replace(
        'clusters:\n',
        `clusters:\n- cluster: {certificate-authority-data: ${CA}, server: "https://198.18.0.1:6443", proxy-url: "http://198.18.0.1:3128"}\n  name: evil\n`,
      );
    const file = await fetch(join(dir, 'state-c'));
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('198.18.0.1');
    expect(parse(text).clusters[0].cluster.server).toBe('https://127.0.0.1:6443');
  }, 60_000);
});
