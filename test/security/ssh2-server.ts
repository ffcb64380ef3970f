// ssh2's server for the tests that play a host answering at a node's address (ssh2 ships no types here):
// typed as far as they use it, each with the connection events it handles.
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

export interface Ssh2<Conn> {
  Server: new (
    cfg: { hostKeys: string[] },
    onConn: (c: Conn) => void,
  ) => { listen(port: number, host: string, f: () => void): void; address(): AddressInfo; close(): void };
  utils: { generateKeyPairSync(type: 'ed25519'): { private: string } };
}

export const loadSsh2 = <Conn>(): Ssh2<Conn> => createRequire(import.meta.url)('ssh2') as Ssh2<Conn>;
