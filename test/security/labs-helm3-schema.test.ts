// CI skipped on an ArgoCD 3.4 site: its Helm 3.17 validates values with github.com/xeipuuv/gojsonschema
// (draft 4-7, Go RE2 patterns), not with Helm 4's library. Helm 3.17 itself is not available here, so
// this test runs that library (v1.2.0, built from test/security/helm3-schema by .ci/helm3-schema.sh) over
// charts/vm-lab/values.schema.json and the values helm would see: chart defaults, then the lab file, then
// the Application's valuesObject, merged the way Helm coalesces (maps merge, lists replace).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { chartSiteValues } from '../../installer/render/components/vm-labs/index.ts';
import { ROOT } from '../helpers.ts';
import { CHART, VALID, exampleCtx, run } from '../labs/helpers.ts';

let dir: string;
let bin: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'labs-helm3-'));
  // Built once by .ci/helm3-schema.sh into a cache keyed by its sources (CI builds it before npm test).
  const b = await run('bash', ['.ci/helm3-schema.sh'], { cwd: ROOT });
  if (b.code !== 0) throw new Error(`.ci/helm3-schema.sh could not build test/security/helm3-schema: ${b.stderr}`);
  bin = b.stdout.trim();
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
function coalesce(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? coalesce(base[k], v) : v;
  return out;
}
/** Values as helm sees them for a lab of course netsec: defaults, lab file, then the Application's valuesObject. */
function values(lab: Record<string, unknown>): unknown {
  const defaults = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8'));
  return coalesce(coalesce(defaults, lab), { ...chartSiteValues(exampleCtx()), course: 'netsec' });
}
async function check(v: unknown) {
  const f = join(dir, `values-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, JSON.stringify(v));
  return run(bin, [join(CHART, 'values.schema.json'), f]);
}
const firewalls = () => parse(readFileSync(join(VALID, 'netsec/firewalls.yaml'), 'utf8'));

describe("charts/vm-lab/values.schema.json under Helm 3.17's JSON Schema library (gojsonschema)", () => {
  it('loads (draft-07, every pattern compiles in RE2) and accepts the valid fixtures', async () => {
    for (const f of ['netsec/firewalls.yaml', 'os101/shell.yaml']) {
      const r = await check(values(parse(readFileSync(join(VALID, f), 'utf8'))));
      expect(r.stdout + r.stderr, f).toBe('valid\n');
      expect(r.code).toBe(0);
    }
  });

  it('refuses the attacks helm 4 refuses: injected structure, unknown keys, absurd sizes', async () => {
    const cases: [string, (l: any) => void, string][] = [
      [
        'a document in image',
        (l) => {
          l.image = 'netlab\n---\nkind: Pod';
        },
        'image',
      ],
      [
        'a key in a student',
        (l) => {
          l.students[2] = 'carol\nx: y';
        },
        'students.2',
      ],
      [
        'a flow map in an SSH key',
        (l) => {
          l.students[0].sshKeys = ['ssh-ed25519 AAAA {evil: 1}\n- x'];
        },
        'students.0.sshKeys.0',
      ],
      [
        'a line break in the title',
        (l) => {
          l.title = 'x\n---';
        },
        'title',
      ],
      [
        'a non-CIDR egress',
        (l) => {
          l.network.allowEgress[0].cidr = '10.0.0.0/8\n  except: []';
        },
        'network.allowEgress.0.cidr',
      ],
      [
        'hostNetwork',
        (l) => {
          l.hostNetwork = true;
        },
        '(root)',
      ],
      [
        '1001 students',
        (l) => {
          l.students = Array.from({ length: 1001 }, (_, i) => `s${i}`);
        },
        'students',
      ],
      [
        'a 9999999Ti disk',
        (l) => {
          l.disk = '9999999Ti';
        },
        'disk',
      ],
    ];
    for (const [name, mutate, field] of cases) {
      const lab = firewalls();
      mutate(lab);
      const r = await check(values(lab));
      expect(r.code, name).toBe(1);
      expect(r.stdout, name).toContain(`invalid: ${field}: `);
    }
  });

  it('is not vacuous: an empty schema accepts the same bad values', async () => {
    const lab = firewalls();
    lab.image = 'netlab\n---\nkind: Pod';
    const f = join(dir, 'values-bad.json');
    writeFileSync(f, JSON.stringify(values(lab)));
    const empty = join(dir, 'empty.schema.json');
    writeFileSync(empty, '{"$schema": "http://json-schema.org/draft-07/schema#"}');
    const r = await run(bin, [empty, f]);
    expect(r.stdout).toBe('valid\n');
  });
});
