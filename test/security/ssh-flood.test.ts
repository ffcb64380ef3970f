// Boundary 3: a host answering at a node's address (first contact pins whatever answers) floods one command's
// output. node-ssh keeps all of it and joins it into one string: 2 GiB threw RangeError (Invalid string length)
// out of its event handler and ended labctl's run for every host (checked by hand, attacker trial). labctl now
// cuts a host off past MAX_OUTPUT_BYTES with its own error, and ordinary output comes back whole. An in-process
// SSH server (ssh2, the library labctl's client is built on) on loopback stands in for the host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSsh2 } from './ssh2-server.ts';
import { connect, MAX_OUTPUT_BYTES, SshError, type RemoteHost } from '../../installer/ssh/remote.ts';
import type { SiteNode } from '../../installer/inventory/types.ts';

/** The part of ssh2's server API used here (the package ships no types). */
interface Channel {
  write(b: Buffer): boolean;
  once(e: 'drain', f: () => void): void;
  on(e: 'error', f: () => void): void;
  exit(code: number): void;
  end(): void;
}
interface Session {
  on(e: 'exec', f: (accept: () => Channel, reject: () => void, info: { command: string }) => void): void;
}
interface Conn {
  on(e: 'error', f: () => void): void;
  on(e: 'authentication', f: (ctx: { accept(): void }) => void): void;
  on(e: 'ready', f: () => void): void;
  on(e: 'session', f: (accept: () => Session) => void): void;
}
const { Server, utils } = loadSsh2<Conn>();
const hostKey = utils.generateKeyPairSync('ed25519');
const clientKey = utils.generateKeyPairSync('ed25519');
const MiB = 1024 * 1024;

/** `exec SIZE` answers SIZE bytes of stdout (as fast as the client takes them), then exit 0. */
const server = new Server({ hostKeys: [hostKey.private] }, (c) => {
  c.on('error', () => undefined); // the client cuts a flooding host off
  c.on('authentication', (ctx) => ctx.accept());
  c.on('ready', () =>
    c.on('session', (accept) => {
      const s = accept();
      s.on('exec', (acc, _rej, info) => {
        const ch = acc();
        let left = Number(info.command.split(' ')[0]);
        const chunk = Buffer.alloc(MiB, 0x41);
        const pump = () => {
          while (left > 0) {
            const part = chunk.subarray(0, Math.min(left, MiB));
            left -= part.length;
            if (!ch.write(part)) return void ch.once('drain', pump);
          }
          ch.exit(0);
          ch.end();
        };
        ch.on('error', () => undefined);
        pump();
      });
    }),
  );
});
let port = 0;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = server.address().port;
});
afterAll(() => server.close());

const open = (): Promise<RemoteHost> =>
  connect({ name: 'w1', address: '127.0.0.1', ssh: { user: 'root', port, privateKeyFile: 'unused' } } as SiteNode, {
    privateKey: clientKey.private,
  });

describe("a host's output is bounded", () => {
  it('ordinary output (4 MiB) comes back whole', async () => {
    const h = await open();
    try {
      const r = await h.exec([String(4 * MiB)], { timeoutMs: 30_000 });
      expect(r.code).toBe(0);
      expect(r.stdout.length).toBe(4 * MiB);
    } finally {
      h.close();
    }
  });

  it('a flood past the limit is cut off with its own error, and the host is asked nothing more', async () => {
    const h = await open();
    try {
      const t0 = Date.now();
      const e = await h.exec([String(80 * MiB)], { timeoutMs: 60_000 }).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e, 'exec returned the whole flood').toBeInstanceOf(SshError);
      expect(MAX_OUTPUT_BYTES).toBe(64 * MiB);
      expect((e as SshError).kind).toBe('output');
      expect((e as SshError).message).toBe('w1: the host sent too much output: more than 64 MiB; cut off');
      expect(Date.now() - t0).toBeLessThan(30_000);
      await expect(h.exec(['1'])).rejects.toThrow(/SSH connection lost/);
    } finally {
      h.close();
    }
  }, 90_000);
});
