// The Harbor configuration Job's script (installer/render/components/scripts/harbor-config.py), run by the
// real python3 exactly as rendered into the example's ConfigMap, against a HARBOR API STAND-IN on
// loopback (Harbor itself cannot run here). The stand-in keeps state like Harbor for the calls the script
// makes and checks the GC schedule as Harbor's handler does (src/server/v2.0/handler/gc.go: PUT
// /system/gc/schedule replaces the schedule; ValidateCronString wants 0 seconds in a six-field cron).
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderSite } from '../../installer/render/render.ts';
import { readRenderInputs } from '../../installer/render/inputs.ts';
import { validateInventoryFile } from '../../installer/inventory/validate.ts';
import { HARBOR_GC } from '../../installer/render/components/harbor/gc.ts';
import { EXAMPLE } from '../helpers.ts';

interface Harbor {
  gc: { schedule?: { type: string; cron: string }; parameters?: Record<string, unknown> } | null;
  projects: Map<string, Record<string, unknown>>;
  registries: { id: number; name: string }[];
  calls: string[];
}

function standIn(h: Harbor, password: string): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const send = (code: number, obj?: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(obj === undefined ? '' : JSON.stringify(obj));
      };
      if (req.headers.authorization !== `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`)
        return send(401, { errors: [{ code: 'UNAUTHORIZED' }] });
      const url = new URL(req.url!, 'http://x');
      const path = url.pathname.replace(/^\/api\/v2\.0/, '');
      h.calls.push(`${req.method} ${path}`);
      const json = body ? JSON.parse(body) : undefined;
      if (req.method === 'GET' && path === '/health') return send(200, { status: 'healthy' });
      if (path === '/system/gc/schedule') {
        if (req.method === 'GET') return send(200, h.gc ?? undefined);
        if (req.method === 'PUT') {
          const cron: string = json?.schedule?.cron ?? '';
          const parts = cron.split(' ');
          if (
            !['Hourly', 'Daily', 'Weekly', 'Custom'].includes(json?.schedule?.type) ||
            !cron ||
            (parts.length === 6 && parts[0] !== '0') ||
            parts.length < 5
          ) {
            return send(400, {
              errors: [{ code: 'BAD_REQUEST', message: `invalid cron string for scheduled gc: ${cron}` }],
            });
          }
          h.gc = { schedule: json.schedule, parameters: json.parameters };
          return send(200);
        }
      }
      if (path === '/registries' && req.method === 'GET') {
        const name = /name=(.*)/.exec(url.searchParams.get('q') ?? '')?.[1];
        return send(
          200,
          h.registries.filter((r) => r.name === name),
        );
      }
      if (path === '/registries' && req.method === 'POST') {
        h.registries.push({ id: h.registries.length + 1, name: json.name });
        return send(201);
      }
      if (/^\/registries\/\d+$/.test(path) && req.method === 'PUT') return send(200);
      if (path === '/projects' && req.method === 'HEAD')
        return send(h.projects.has(url.searchParams.get('project_name')!) ? 200 : 404);
      if (path === '/projects' && req.method === 'POST') {
        h.projects.set(json.project_name, json);
        return send(201);
      }
      if (/^\/projects\/[^/]+$/.test(path) && req.method === 'PUT') return send(200);
      if (path === '/configurations' && req.method === 'PUT') return send(200);
      return send(404, { errors: [{ code: 'NOT_FOUND', message: `${req.method} ${path}` }] });
    });
  };
}

let dir: string;
let script: string;
let config: Record<string, unknown>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'labctl-harborcfg-'));
  const site = validateInventoryFile(EXAMPLE).site!;
  const out = await renderSite(site, readRenderInputs(site));
  const [, cmText] = [...out.files].find(([p]) =>
    /components\/harbor\/manifests\/configmap-harbor-harbor-config-/.test(p),
  )!;
  const cm = parse(cmText);
  script = join(dir, 'harbor-config.py');
  writeFileSync(script, cm.data['harbor-config.py']);
  config = JSON.parse(cm.data['harbor.json']);
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function runScript(cfg: Record<string, unknown>, h: Harbor): Promise<{ code: number | null; out: string }> {
  const password = 'not-a-real-password';
  const server: Server = createServer(standIn(h, password));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const cfgDir = mkdtempSync(join(dir, 'cfg-'));
  writeFileSync(join(cfgDir, 'harbor.json'), JSON.stringify(cfg));
  // The script reads /config/harbor.json (the ConfigMap's mount); the test points it at its own copy.
  const py = join(cfgDir, 'run.py');
  writeFileSync(
    py,
    `import builtins, runpy\n_open = builtins.open\nbuiltins.open = lambda f, *a, **k: _open(${JSON.stringify(join(cfgDir, 'harbor.json'))} if f == "/config/harbor.json" else f, *a, **k)\nrunpy.run_path(${JSON.stringify(script)}, run_name="__main__")\n`,
  );
  try {
    return await new Promise((done) =>
      execFile(
        'python3',
        [py],
        {
          encoding: 'utf8',
          timeout: 60_000,
          env: {
            PATH: process.env.PATH,
            HARBOR_URL: `http://127.0.0.1:${port}`,
            HARBOR_ADMIN_PASSWORD: password,
            OIDC_CLIENT_SECRET: 'x',
          },
        },
        (err, stdout, stderr) =>
          done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, out: `${stdout}${stderr}` }),
      ),
    );
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

const fresh = (): Harbor => ({ gc: null, projects: new Map(), registries: [], calls: [] });

describe('Harbor GC schedule through the configuration script (real python3, Harbor API stand-in on loopback)', () => {
  it('sets the schedule on a fresh Harbor, after the other settings', async () => {
    const h = fresh();
    const r = await runScript(config, h);
    expect(r.code, r.out).toBe(0);
    expect(h.gc).toEqual({ schedule: HARBOR_GC.schedule, parameters: HARBOR_GC.parameters });
    expect(h.calls.filter((c) => c === 'PUT /system/gc/schedule')).toHaveLength(1);
    expect(h.calls.indexOf('PUT /system/gc/schedule')).toBeGreaterThan(h.calls.indexOf('PUT /configurations'));
    expect(r.out).toContain(`gc schedule: ${HARBOR_GC.schedule.cron}`);
  });

  it('re-running is harmless: a schedule an admin changed by hand is put back, nothing else is created twice', async () => {
    const h = fresh();
    expect((await runScript(config, h)).code).toBe(0);
    const projects = h.projects.size;
    h.gc = { schedule: { type: 'None', cron: '' } };
    const r = await runScript(config, h);
    expect(r.code, r.out).toBe(0);
    expect(h.gc).toEqual({ schedule: HARBOR_GC.schedule, parameters: HARBOR_GC.parameters });
    expect(h.projects.size).toBe(projects);
  });

  it("can fail: a cron Harbor refuses (non-zero seconds) makes the Job fail with Harbor's message, not pass silently", async () => {
    const h = fresh();
    const r = await runScript(
      { ...config, gc: { ...HARBOR_GC, schedule: { type: 'Custom', cron: '30 0 3 * * 6' } } },
      h,
    );
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('PUT /system/gc/schedule: HTTP 400');
    expect(h.gc).toBeNull();
  });
});
