// Attack: one lab file makes ArgoCD's repo-server (which renders every Application of the site, the platform's
// too) render gigabytes. The chart writes the lab's cloud-init additions into every student's user-data Secret,
// and each field was bounded alone: 50 files of 64 KiB (3.2 MB) times 1000 students is 3.2 GB of manifests from
// a 3.3 MB file that labs validate and labs capacity passed (measured: 20 students gave 65 MB of helm output, 11 s,
// 770 MB of memory). Now the additions are at most 256 KiB (a Secret holds at most 1 MiB) and all students'
// user-data at most 32 MiB per lab: labs validate refuses past that, located, and so does the chart by itself.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../installer/labs/schema.ts';
import { CHART } from '../labs/helpers.ts';
import { clearLabs, helmApp, labText, put, siteRepo, validate, type SiteRepo } from './labs-helpers.ts';

let repo: SiteRepo;
beforeAll(async () => {
  repo = await siteRepo('userdata-size');
});
afterAll(() => rmSync(repo.dir, { recursive: true, force: true }));

const files = (n: number, size: number) =>
  `cloudInit:\n  files:\n${Array.from({ length: n }, (_, i) => `    - {path: /f${i}, content: "${'A'.repeat(size)}"}`).join('\n')}`;
const students = (n: number) => `students: [${Array.from({ length: n }, (_, i) => `s${i}`).join(', ')}]`;

describe('attack: a lab file whose user-data Secrets add up to gigabytes', () => {
  it('the chart counts with the same bounds as labs validate', () => {
    const t = readFileSync(join(CHART, 'templates/students.yaml'), 'utf8');
    expect(t).toContain(`gt (int $shared) ${LIMITS.cloudInitBytes} `);
    expect(t).toContain(`gt (int $total) ${LIMITS.labUserDataBytes} `);
  });

  it('5 files of 60 kB (300 kB in every VM): labs validate refuses it at cloudInit; helm fails on it', async () => {
    clearLabs(repo);
    const rel = 'labs/netsec/heavy.yaml';
    const f = put(repo, rel, labText('netsec', files(5, 60_000), students(2)));
    const r = await validate(repo);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${f}:8:3 cloudInit: 300015 bytes of cloud-init files, runcmd and packages`);
    const h = await helmApp(repo, rel);
    expect(h.code).not.toBe(0);
    expect(h.stderr).toContain('cloudInit: 300015 bytes of files, runcmd and packages');
  });

  it('2 files of 60 kB for 300 students (36 MB of user-data): refused by labs validate and by helm', async () => {
    clearLabs(repo);
    const rel = 'labs/netsec/many.yaml';
    const f = put(repo, rel, labText('netsec', files(2, 60_000), students(300)));
    const r = await validate(repo);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${f}:8:3 cloudInit: the user-data of 300 students weighs`);
    const h = await helmApp(repo, rel);
    expect(h.code).not.toBe(0);
    expect(h.stderr).toContain('the user-data of 300 students weighs more than 33554432 bytes');
  }, 60_000);

  it('the same files for 100 students (12 MB) pass both', async () => {
    clearLabs(repo);
    const rel = 'labs/netsec/fine.yaml';
    put(repo, rel, labText('netsec', files(2, 60_000), students(100)));
    const r = await validate(repo);
    expect(r.code, r.stderr).toBe(0);
    const h = await helmApp(repo, rel);
    expect(h.code, h.stderr).toBe(0);
  }, 60_000);
});
