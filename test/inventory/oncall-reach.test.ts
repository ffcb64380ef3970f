// On-call paging that would silently go nowhere: a roster whose people have only email addresses but no
// monitoring.smtp (and no pageUrlRef) renders empty page-* receivers. validate must say so.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, type Diagnostic } from '../../installer/core/diagnostics.ts';
import { validateInventoryFile } from '../../installer/inventory/validate.ts';
import { alertmanagerConfig } from '../../installer/render/components/monitoring/alertmanager.ts';
import { fixture, labctl } from '../helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'oncall-reach-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const base = readFileSync(fixture('inventory/invalid/oncall-pages-nobody.yaml'), 'utf8');
const variant = (name: string, edit: (s: string) => string) => {
  const f = join(tmp, name);
  writeFileSync(f, edit(base));
  return f;
};
const show = (ds: Diagnostic[]) => ds.map((d) => formatDiagnostic({ ...d, file: '' }).replace(/^:/, ''));

describe('on-call roster reachability', () => {
  it('the CLI refuses a roster nobody can be paged on, naming file:line, field and the keys to set (exit 1)', async () => {
    const r = await labctl(['validate', 'test/fixtures/inventory/invalid/oncall-pages-nobody.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'oncall-pages-nobody.yaml:41:7 monitoring.oncall.roster: no one on the on-call roster can be paged',
    );
    expect(r.stderr).toContain('monitoring.smtp');
    expect(r.stderr).toContain('pageUrlRef');
    // and one warning per unreachable person
    expect(r.stderr).toMatch(
      /:41:\d+ monitoring\.oncall\.roster\[0\]\.email: warning: roster entry jdoe cannot be paged/,
    );
    expect(r.stderr).toMatch(
      /:42:\d+ monitoring\.oncall\.roster\[1\]\.email: warning: roster entry mmuster cannot be paged/,
    );
  });

  it('one person with a page URL: valid, a warning for the other, whose rendered receiver is indeed empty', () => {
    const f = variant('one-url.yaml', (s) =>
      s.replace(
        '{name: jdoe, email: jdoe@physics.example.edu}',
        '{name: jdoe, email: jdoe@physics.example.edu, pageUrlRef: oncall/jdoe-ntfy}',
      ),
    );
    const r = validateInventoryFile(f);
    expect(show(r.errors)).toEqual([]);
    expect(show(r.warnings).filter((w) => w.includes('cannot be paged'))).toEqual([
      '42:32 monitoring.oncall.roster[1].email: warning: roster entry mmuster cannot be paged: mmuster@physics.example.edu is an email address but monitoring.smtp is not set and there is no pageUrlRef (hint: set monitoring.smtp (smarthost, from) so roster emails are sent, or give mmuster a pageUrlRef (secret-store entry holding their ntfy/webhook URL))',
    ]);
    // The warning is true: the rendered receiver of mmuster has no configuration at all.
    const am = alertmanagerConfig(r.site!);
    expect(am.receivers.find((x) => x.name === 'page-mmuster')).toEqual({ name: 'page-mmuster' });
    expect(am.receivers.find((x) => x.name === 'page-jdoe')).toHaveProperty('webhook_configs');
  });

  it('with monitoring.smtp the email addresses page: no error, no warning, every page receiver sends email', () => {
    const f = variant('smtp.yaml', (s) =>
      s.replace(
        'monitoring:\n',
        'monitoring:\n  smtp: {smarthost: "smtp.physics.example.edu:587", from: alerts@physics.example.edu}\n',
      ),
    );
    const r = validateInventoryFile(f);
    expect(show(r.errors)).toEqual([]);
    expect(show(r.warnings).filter((w) => w.includes('paged'))).toEqual([]);
    const am = alertmanagerConfig(r.site!);
    for (const n of ['page-jdoe', 'page-mmuster', 'page-everyone'])
      expect(am.receivers.find((x) => x.name === n)).toHaveProperty('email_configs');
  });
});
