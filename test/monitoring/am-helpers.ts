// Helpers to run the rendered Alertmanager configuration through Debian's Alertmanager 0.25 / amtool.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import http from 'node:http';

/**
 * The one difference between the rendered configuration (for the Alertmanager of the pinned
 * kube-prometheus-stack, v0.34) and Debian's 0.25: webhook_configs[].url_file exists only since 0.26.
 * Alertmanager >= 0.26 reads the file at load time; for 0.25 the test does the same (inlines the URL
 * read from the file). msteams_configs (0.26+) cannot be expressed at all in 0.25.
 */
export function compat025(config: unknown): unknown {
  return JSON.parse(JSON.stringify(config), (key, value) => {
    if (key === 'msteams_configs') throw new Error('msteams_configs needs Alertmanager >= 0.26');
    if (value && typeof value === 'object' && !Array.isArray(value) && typeof value.url_file === 'string') {
      const { url_file: file, ...rest } = value as { url_file: string };
      return { ...rest, url: readFileSync(file, 'utf8').trim() };
    }
    return value;
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Received {
  path: string;
  body: { receiver: string; status: string; alerts: { labels: Record<string, string>; status: string }[] };
}

/** A webhook receiver on loopback that records every POST by path. */
export async function webhookServer(): Promise<{ port: number; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => {
      data += c.toString('utf8');
    });
    req.on('end', () => {
      try {
        received.push({ path: req.url ?? '', body: JSON.parse(data) });
      } catch {
        /* not JSON: ignore */
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return { port, received, close: () => new Promise((r) => server.close(() => r())) };
}

export interface RunningAm {
  url: string;
  proc: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

/** Starts Debian's prometheus-alertmanager on loopback, clustering off; waits (bounded) until ready. */
export async function startAlertmanager(configFile: string, storage: string): Promise<RunningAm> {
  const port = await freePort();
  const proc = spawn(
    'prometheus-alertmanager',
    [
      `--config.file=${configFile}`,
      `--storage.path=${storage}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=debug',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  proc.stdout!.on('data', (c: Buffer) => {
    log += c.toString();
  });
  proc.stderr!.on('data', (c: Buffer) => {
    log += c.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode !== null) return;
    proc.kill('SIGTERM');
    await new Promise<void>((r) => {
      const t = setTimeout(() => {
        proc.kill('SIGKILL');
        r();
      }, 5000);
      proc.once('exit', () => {
        clearTimeout(t);
        r();
      });
    });
  };
  for (let i = 0; i < 100; i++) {
    // 100 x 100 ms
    if (proc.exitCode !== null) throw new Error(`alertmanager exited: ${log}`);
    try {
      const r = await fetch(`${url}/-/ready`);
      if (r.ok) return { url, proc, log: () => log, stop };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`alertmanager not ready after 10 s: ${log}`);
}

/** Polls `cond` every 250 ms until it holds or `ms` elapse; returns whether it held. */
export async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return cond();
}

export const amtool = (args: string[]) => {
  const r = spawnSync('amtool', args, { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
};
