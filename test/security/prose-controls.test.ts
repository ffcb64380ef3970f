// Boundary 4: a path the user typed, printed in a sentence ("rendered X", "X: valid", "the secret store in
// X"), shows its control characters as escapes: a folder name holding a newline, a carriage return or an
// escape sequence cannot forge a line, overwrite one or clear the screen; so does free text from the inventory
// (an on-call override's reason) (docs/security.md). Run through
// the real CLI, as a user (or a script handed a hostile folder name) would.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, labctl, run, type CliResult } from '../helpers.ts';

/** Newline (a forged line), CR (overwrites the line), ESC [2J (clears the screen). */
const EVIL = 'evil\nFORGED\ry\x1b[2Jz';
const SHOWN = 'evil\\x0aFORGED\\x0dy\\x1b[2Jz';

/** Every control character but newline and tab (diff's header has one; showControls keeps tab: it only moves to a tab stop). */
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

function expectNoRawControls(r: CliResult): void {
  const all = r.stdout + r.stderr;
  expect(all).not.toMatch(RAW_CONTROL);
  // The newline of the name never starts a line of its own: the text after it stays on the name's line.
  expect(all).not.toMatch(/^FORGED/m);
  expect(all).toContain(SHOWN);
}

describe('user-typed paths in prose are printed with their control characters escaped', () => {
  let base: string;
  let home: string;
  let inventory: string;
  let evil: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'labctl-prose-'));
    home = mkdtempSync(join(tmpdir(), 'labctl-prose-home-'));
    inventory = join(base, 'inventory.yaml');
    copyFileSync(EXAMPLE, inventory);
    evil = join(base, EVIL);
  });
  const env = () => ({ HOME: home });

  it('render -o EVIL: "rendered X", the outside note and the secret-store note', async () => {
    const r = await labctl(['render', '-i', inventory, '-o', evil], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`rendered ${base}/${SHOWN}: `);
    expectNoRawControls(r);
  });

  it('render --check -o EVIL: "X is up to date with Y"', async () => {
    const r = await labctl(['render', '--check', '-i', inventory, '-o', evil], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${base}/${SHOWN} is up to date with`);
    expectNoRawControls(r);
  });

  it('render into a foreign folder: the refusal names the folder and its entries escaped', async () => {
    const foreign = join(base, `other${EVIL}`);
    mkdirSync(foreign);
    writeFileSync(join(foreign, `notes${EVIL}.txt`), 'x');
    const r = await labctl(['render', '-i', inventory, '-o', foreign], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`notes${SHOWN}.txt`);
    expectNoRawControls(r);
  });

  it('validate EVIL/inventory.yaml: "X: valid"', async () => {
    const site = join(evil, 'site');
    mkdirSync(site, { recursive: true });
    copyFileSync(EXAMPLE, join(site, 'inventory.yaml'));
    const r = await labctl(['validate', join(site, 'inventory.yaml')], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${SHOWN}/site/inventory.yaml: valid`);
    expectNoRawControls(r);
  });

  it('plan -i EVIL/inventory.yaml: the backup warning names the secret store folder escaped', async () => {
    const site = join(evil, 'plan');
    mkdirSync(site, { recursive: true });
    copyFileSync(EXAMPLE, join(site, 'inventory.yaml'));
    const r = await labctl(['plan', '-i', join(site, 'inventory.yaml')], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`the secret store in ${base}/${SHOWN}/plan `);
    expectNoRawControls(r);
  });

  it('plan -i on an invalid inventory: "X: N error(s)" and the validate command it suggests', async () => {
    const site = join(evil, 'bad');
    mkdirSync(site, { recursive: true });
    writeFileSync(join(site, 'inventory.yaml'), 'site: {}\n');
    const r = await labctl(['plan', '-i', join(site, 'inventory.yaml')], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${SHOWN}/bad/inventory.yaml: `);
    expect(r.stderr).toContain(`run labctl validate $'${base}/${SHOWN}/bad/inventory.yaml'`);
    expectNoRawControls(r);
  });

  it('kubeconfig -o EVIL: "wrote X" escaped, and KUBECONFIG=X as one shell word', async () => {
    const out = join(base, `kc${EVIL}.yaml`);
    const r = await labctl(['kubeconfig', '-i', inventory, '--user', 'jdoe', '-o', out], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${base}/kc${SHOWN}.yaml: `);
    expect(r.stdout).toContain(`KUBECONFIG=$'${base}/kc${SHOWN}.yaml' kubectl get pods`);
    expectNoRawControls(r);
  });

  // Attacker trial (this session's review of the commands not covered): secrets init escaped its text with
  // `multiline`, which keeps a newline of the folder's name; init's "wrote X" and doctor's "kubernetes.version
  // of X" printed the path raw.
  it('secrets init -r EVIL: "written to X and confirmed in X" escaped, newline too', async () => {
    const repo = join(evil, 'secrets-init');
    mkdirSync(repo, { recursive: true });
    const r = await labctl(['secrets', 'init', '-r', repo], {
      env: { HOME: mkdtempSync(join(tmpdir(), 'labctl-prose-home-')) },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`written to ${base}/${SHOWN}/secrets-init/secrets/recipients.txt and confirmed in `);
    expectNoRawControls(r);
  });

  it('init EVIL/new/inventory.yaml: "wrote X" escaped', async () => {
    const file = join(evil, 'new', 'inventory.yaml');
    const r = await labctl(['init', file, '--yes'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${base}/${SHOWN}/new/inventory.yaml: 3 nodes`);
    expectNoRawControls(r);
  });

  it('doctor -i EVIL/inventory.yaml: "kubernetes.version of X" escaped', async () => {
    const site = join(evil, 'doctor');
    mkdirSync(site, { recursive: true });
    copyFileSync(EXAMPLE, join(site, 'inventory.yaml'));
    const r = await labctl(['doctor', '-i', join(site, 'inventory.yaml')], { env: env() });
    expect(r.stdout).toContain(`(kubernetes.version of ${base}/${SHOWN}/doctor/inventory.yaml)`);
    expectNoRawControls(r);
  });

  it('preflight -i EVIL/inventory.yaml: the local site-key line names the store escaped, and its secrets init hint pasted into bash runs only labctl', async () => {
    const site = join(base, `pf;touch PWNED;${EVIL}`);
    mkdirSync(site, { recursive: true });
    copyFileSync(EXAMPLE, join(site, 'inventory.yaml'));
    // No helm or kubectl on PATH: the local checks fail and preflight stops before any server is contacted.
    const r = await labctl(['preflight', '-i', join(site, 'inventory.yaml')], {
      env: { ...env(), PATH: '/nonexistent' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no server was contacted');
    expect(r.stdout).toContain(`no secret store in ${base}/pf;touch PWNED;${SHOWN}/secrets yet`);
    expectNoRawControls(r);
    const hint = /create it with (labctl secrets init -r [\s\S]*?) \(up reads/.exec(r.stdout)?.[1];
    expect(hint, r.stdout).toBeDefined();
    const pasted = await run('bash', ['-c', `labctl() { printf '%s\\n' "$@" > args; }\n${hint}`], { cwd: base });
    expect(existsSync(join(base, 'PWNED'))).toBe(false);
    expect(pasted.status, pasted.stderr).toBe(0);
    expect(readFileSync(join(base, 'args'), 'utf8')).toBe(`secrets\ninit\n-r\n${site}\n`);
  });

  it('oncall now and schedule: an override reason from the inventory (free text) is shown escaped', async () => {
    const file = join(base, 'oncall.yaml');
    const text = readFileSync(EXAMPLE, 'utf8');
    const entry = 'person: akumar, reason: winter break}';
    expect(text).toContain(entry);
    writeFileSync(file, text.replace(entry, 'person: akumar, reason: "evil\\nFORGED\\ry\\e[2Jz"}'));
    const now = await labctl(['oncall', 'now', '-i', file, '--at', '2026-12-24T12:00'], { env: env() });
    expect(now.code, now.stderr).toBe(0);
    expect(now.stdout).toContain(`[override: ${SHOWN}]`);
    expectNoRawControls(now);
    const week = await labctl(['oncall', 'schedule', '-i', file, '--at', '2026-12-21T09:00', '--weeks', '2'], {
      env: env(),
    });
    expect(week.code, week.stderr).toBe(0);
    expect(week.stdout).toContain(`override: ${SHOWN}`);
    expectNoRawControls(week);
  });

  it("diff and render --check: a file name and version planted in the folder's .labctl/rendered.json are shown escaped", async () => {
    const repo = join(base, 'planted');
    mkdirSync(repo);
    copyFileSync(EXAMPLE, join(repo, 'inventory.yaml'));
    const inv = join(repo, 'inventory.yaml');
    expect((await labctl(['render', '-i', inv], { env: env() })).code).toBe(0);
    const state = join(repo, '.labctl/rendered.json');
    const rendered = JSON.parse(readFileSync(state, 'utf8')) as { labctl: string; files: string[] };
    rendered.labctl = `0.0.1-${EVIL}`; // named in "it was rendered by labctl X"
    const planted = `apps/${EVIL}.yaml`;
    rendered.files = [...rendered.files, planted].sort();
    writeFileSync(state, JSON.stringify(rendered));
    writeFileSync(join(repo, planted), 'x: 1\n');
    const diff = await labctl(['diff', '-i', inv], { env: env() });
    expect(diff.stdout).toContain(`--- a/apps/${SHOWN}.yaml`);
    expectNoRawControls(diff);
    const check = await labctl(['render', '--check', '-i', inv], { env: env() });
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`extra    apps/${SHOWN}.yaml`);
    expect(check.stderr).toContain(`it was rendered by labctl 0.0.1-${SHOWN}, this is labctl`);
    expectNoRawControls(check);
  });

  // Attacker trial: the folder's files are Git content (a branch under review); diff printed their lines raw,
  // so an ESC sequence in a committed file could erase diff lines around it, and the upstream version list
  // printed a committed targetRevision raw, so its newline added a forged "read first" line.
  it("diff: a committed file's lines and an Application's targetRevision are shown escaped", async () => {
    const repo = join(base, 'committed');
    mkdirSync(repo);
    copyFileSync(EXAMPLE, join(repo, 'inventory.yaml'));
    const inv = join(repo, 'inventory.yaml');
    expect((await labctl(['render', '-i', inv], { env: env() })).code).toBe(0);
    const app = join(repo, 'apps/argocd.yaml');
    const text = readFileSync(app, 'utf8');
    const version = /targetRevision: (\S+)/.exec(text)![1]!;
    writeFileSync(
      app,
      `${text.replace(`targetRevision: ${version}`, `targetRevision: ${JSON.stringify(version + EVIL)}`)}# ${EVIL}\n`,
    );
    const diff = await labctl(['diff', '-i', inv], { env: env() });
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toContain('\n-FORGED\\x0dy\\x1b[2Jz\n'); // the file's own second line of the comment
    expect(diff.stdout).toMatch(
      new RegExp(`^#   argocd: argo-cd ${version.replace(/\./g, '\\.')}evil\\\\x0aFORGED`, 'm'),
    );
    expectNoRawControls(diff);
  });
});
