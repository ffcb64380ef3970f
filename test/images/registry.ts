// Test helpers: a real OCI registry (Debian's docker-registry, distribution 2.8) on loopback, a proxy in
// front of it that refuses chosen requests, and small HTTP helpers. Every process is stopped by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Registry {
  host: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
  log(): string;
}

/** Starts docker-registry with filesystem storage in a temp dir; `readonly` turns on maintenance read-only mode. */
export async function startRegistry(opts: { readonly?: boolean } = {}): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), 'labctl-registry-'));
  const port = await freePort();
  const config = {
    version: 0.1,
    log: { level: 'info', formatter: 'text' },
    storage: {
      filesystem: { rootdirectory: join(dir, 'data') },
      delete: { enabled: true },
      ...(opts.readonly ? { maintenance: { readonly: { enabled: true } } } : {}),
    },
    http: { addr: `127.0.0.1:${port}` },
  };
  writeFileSync(join(dir, 'config.yml'), stringify(config));
  let out = '';
  const child: ChildProcess = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => {
        child.once('exit', r);
        setTimeout(r, 5000);
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/v2/`);
      if (r.status === 200) return { host: `127.0.0.1:${port}`, port, dir, stop, log: () => out };
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`docker-registry did not start: ${out}`);
}

/** Tags of a repository as the registry lists them ([] when the repository has none). */
export async function tagsOf(host: string, repo: string): Promise<string[]> {
  const r = await fetch(`http://${host}/v2/${repo}/tags/list`);
  if (r.status === 404) return [];
  const j = (await r.json()) as { tags?: string[] | null };
  return j.tags ?? [];
}

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface Proxy {
  host: string;
  stop(): Promise<void>;
  refused: string[];
}

/** An HTTP proxy to `upstream` that answers `refuse(req)`'s status instead of forwarding. */
export async function startRefusingProxy(
  upstream: string,
  refuse: (method: string, url: string) => number | undefined,
): Promise<Proxy> {
  const [uh, up] = upstream.split(':');
  const refused: string[] = [];
  const server = http.createServer((req, res) => {
    const status = refuse(req.method ?? 'GET', req.url ?? '/');
    if (status) {
      refused.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [{ code: status === 403 ? 'DENIED' : 'UNKNOWN', message: `refused by the test proxy (${status})` }],
        }),
      );
      return;
    }
    const fwd = http.request(
      { host: uh, port: Number(up), method: req.method, path: req.url, headers: req.headers },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      },
    );
    fwd.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(fwd);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    refused,
    stop: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface FileServer {
  url: string;
  requests: { path: string; range?: string }[];
  stop(): Promise<void>;
}

/** Serves fixed buffers by path, with single-range support (206) like a mirror would. */
export async function startFileServer(files: Record<string, Buffer>): Promise<FileServer> {
  const requests: FileServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const range = req.headers.range;
    requests.push({ path, range });
    const body = files[path];
    if (!body) {
      res.writeHead(404);
      res.end('not found');
      return;
    }
    const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
    if (m) {
      const start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` });
        res.end();
        return;
      }
      res.writeHead(206, {
        'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
        'content-length': body.length - start,
      });
      res.end(body.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
