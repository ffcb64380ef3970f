// `labctl oncall now|next|schedule|ical` through the real CLI on the example inventory, and the
// horizon/DST warnings of `labctl validate`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE, labctl } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'labctl-oncall-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const variant = (name: string, edit: (s: string) => string) => {
  const f = join(dir, name);
  writeFileSync(f, edit(readFileSync(EXAMPLE, 'utf8')));
  return f;
};

describe('labctl oncall', () => {
  it('now: the primary and secondary at a site-local time, across the autumn DST change', async () => {
    const r = await labctl(['oncall', 'now', '-i', EXAMPLE, '--at', '2026-10-26T08:59']);
    expect(r.stdout).toBe('jdoe is on call (secondary: mmuster) until Mon 2026-10-26 09:00 GMT+1\n');
    expect(r.code).toBe(0);
    const after = await labctl(['oncall', 'now', '-i', EXAMPLE, '--at', '2026-10-26T08:00Z']); // = 09:00 CET
    expect(after.stdout).toMatch(/^mmuster is on call \(secondary: akumar\)/);
  });

  it('now: an override (winter break) wins, shown with its reason; JSON output', async () => {
    const r = await labctl(['oncall', 'now', '-i', EXAMPLE, '--at', '2026-12-24T12:00', '--output', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.oncall).toMatchObject({
      primary: 'akumar',
      source: 'override',
      reason: 'winter break',
      end: '2026-12-28T08:00:00.000Z',
    });
  });

  it('now: before the rotation starts nobody is on call (exit 1, says who gets paged instead)', async () => {
    const r = await labctl(['oncall', 'now', '-i', EXAMPLE, '--at', '2026-09-01T12:00']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('critical alerts page the whole roster');
  });

  it('a site without monitoring.oncall (labctl init writes none): says what to add and where the example is, exit 1', async () => {
    const f = join(dir, 'new-site', 'inventory.yaml');
    const init = await labctl(['init', f, '--yes']);
    expect(init.code, init.stderr).toBe(0);
    for (const cmd of ['now', 'next', 'schedule']) {
      const r = await labctl(['oncall', cmd, '-i', f]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(
        `labctl: ${f}: monitoring.oncall is not set: there is no rotation to show. Add monitoring.oncall (roster: the people; rotation: start, order) to ${f}, as the commented one in inventory.example.yaml (in the folder labctl version names); then labctl render, so Alertmanager pages by it\n`,
      );
    }
  });

  it('next and schedule', async () => {
    expect((await labctl(['oncall', 'next', '-i', EXAMPLE, '--at', '2026-09-10T12:00'])).stdout).toBe(
      'next: mmuster from Mon 2026-09-14 09:00 GMT+2 (secondary: akumar)\n',
    );
    const s = await labctl(['oncall', 'schedule', '-i', EXAMPLE, '--at', '2026-09-07T09:00', '--weeks', '3']);
    expect(s.code).toBe(0);
    expect(
      s.stdout
        .trim()
        .split('\n')
        .map((l) => /GMT\+\d {2}(\w+) /.exec(l.split('->')[1]!)?.[1]),
    ).toEqual(['jdoe', 'mmuster', 'akumar']);
  });

  it('now: past the rendered horizon names no one: Alertmanager pages the whole roster, and says how to fix it', async () => {
    const r = await labctl(['oncall', 'now', '-i', EXAMPLE, '--at', '2027-09-08T12:00']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('is past the rotation Alertmanager has (monitoring.oncall.renderUntil 2027-09-06');
    expect(r.stderr).toContain('every critical alert pages the whole roster (jdoe, mmuster, akumar)');
    expect(r.stderr).toContain('raise monitoring.oncall.renderUntil, labctl render');
    const j = JSON.parse(
      (await labctl(['oncall', 'now', '-i', EXAMPLE, '--at', '2027-09-08T12:00', '--output', 'json'])).stdout,
    );
    expect(j).toMatchObject({ oncall: null, pages: 'everyone', roster: ['jdoe', 'mmuster', 'akumar'] });
    // The last rendered minute still has a name.
    expect((await labctl(['oncall', 'now', '-i', EXAMPLE, '--at', '2027-09-06T23:59'])).code).toBe(0);
  });

  it('next and ical agree with now and schedule at the rendered horizon: the whole roster, no name past it', async () => {
    // next named the rotation's next person (akumar from Mon 2027-09-13) and ical listed shifts past
    // renderUntil, while Alertmanager (and now, schedule) pages the whole roster there.
    const at = (t: string, ...more: string[]) => labctl(['oncall', ...more, '-i', EXAMPLE, '--at', t]);
    const last = await at('2027-09-06T12:00', 'next');
    expect(last.code, last.stderr).toBe(0);
    expect(last.stdout).toBe(
      'next: everyone from Tue 2027-09-07 00:00 GMT+2: past monitoring.oncall.renderUntil 2027-09-06 every critical alert pages the whole roster (jdoe, mmuster, akumar); to hand it to one person again: raise monitoring.oncall.renderUntil, labctl render, commit and push\n',
    );
    expect(JSON.parse((await at('2027-09-06T12:00', 'next', '--output', 'json')).stdout)).toMatchObject({
      next: null,
      from: '2027-09-06T22:00:00.000Z',
      pages: 'everyone',
    });
    const past = await at('2027-09-08T12:00', 'next');
    expect(past.code).toBe(1);
    expect(past.stdout).toBe('');
    expect(past.stderr).toContain('is past the rotation Alertmanager has (monitoring.oncall.renderUntil 2027-09-06');
    // now: the last shift ends with the window (it said "until Mon 2027-09-13 09:00").
    expect((await at('2027-09-06T12:00', 'now')).stdout).toBe(
      'mmuster is on call (secondary: akumar) until Tue 2027-09-07 00:00 GMT+2, then everyone: past monitoring.oncall.renderUntil 2027-09-06 every critical alert pages the whole roster\n',
    );
    // Before the horizon next is unchanged.
    expect((await at('2027-08-30T12:00', 'next')).stdout).toBe(
      'next: mmuster from Mon 2027-09-06 09:00 GMT+2 (secondary: akumar)\n',
    );
    const cal = await at('2027-08-30T12:00', 'ical', '--weeks', '3');
    expect(cal.code, cal.stderr).toBe(0);
    expect(cal.stdout.match(/SUMMARY:On call: \w+/g)).toEqual(['SUMMARY:On call: jdoe', 'SUMMARY:On call: mmuster']);
    expect(cal.stdout.match(/DTEND:\w+/g)!.at(-1)).toBe('DTEND:20270906T220000Z');
    expect(cal.stderr).toContain('note: the calendar ends at Tue 2027-09-07 00:00 GMT+2');
    expect((await at('2027-10-01T12:00', 'ical')).code).toBe(1);
  });

  it('schedule: whole shifts, the running one from its hand-over; past the horizon a line for the whole roster', async () => {
    const s = await labctl(['oncall', 'schedule', '-i', EXAMPLE, '--at', '2026-11-30T11:23', '--weeks', '1']);
    expect(s.code).toBe(0);
    const lines = s.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^Mon 2026-11-30 09:00 GMT\+1 {2}-> {2}Mon 2026-12-07 09:00 GMT\+1 {2}jdoe /);
    expect(lines.at(-1)).toMatch(/^Mon 2026-12-07 09:00 GMT\+1 {2}-> {2}Mon 2026-12-14 09:00 GMT\+1 /);
    // Columns padded, lines not: no trailing spaces (new-user trial: `| cat -A` showed them).
    expect(s.stdout.split('\n').filter((l) => / $/.test(l))).toEqual([]);
    const end = await labctl(['oncall', 'schedule', '-i', EXAMPLE, '--at', '2027-08-30T10:00', '--weeks', '3']);
    const tail = end.stdout.trim().split('\n');
    expect(tail.at(-2)).toMatch(/-> {2}Tue 2027-09-07 00:00 GMT\+2 {2}mmuster /);
    expect(tail.at(-1)).toMatch(
      /^Tue 2027-09-07 00:00 GMT\+2 {2}-> {2}\(no end\) +everyone: past monitoring\.oncall\.renderUntil 2027-09-06 every critical alert pages the whole roster$/,
    );
    expect(tail.filter((l) => / (jdoe|mmuster|akumar) /.test(l) && l.startsWith('Mon 2027-09-13'))).toEqual([]);
  });

  it('rejects bad options with exit 2', async () => {
    expect((await labctl(['oncall', 'schedule', '-i', EXAMPLE, '--weeks', '0'])).code).toBe(2);
    const r = await labctl(['oncall', 'now', '-i', EXAMPLE, '--at', 'next tuesday']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--at next tuesday');
  });

  it('ical: RFC 5545 text, one event per shift, contiguous, UTC times, folded lines', async () => {
    const r = await labctl(['oncall', 'ical', '-i', EXAMPLE, '--at', '2026-12-21T00:00', '--weeks', '3']);
    expect(r.code).toBe(0);
    const text = r.stdout;
    expect(text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(text.trimEnd().endsWith('END:VCALENDAR')).toBe(true);
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const unfolded = text.replace(/\r\n /g, '');
    const events = [...unfolded.matchAll(/BEGIN:VEVENT\r\n([\s\S]*?)END:VEVENT/g)].map((m) =>
      Object.fromEntries(
        m[1]!
          .trim()
          .split('\r\n')
          .map((l) => [l.split(':')[0], l.slice(l.indexOf(':') + 1)]),
      ),
    );
    expect(events.map((e) => e.SUMMARY)).toEqual([
      'On call: akumar',
      'On call: jdoe',
      'On call: akumar (winter break)',
      'On call: akumar (winter break)',
      'On call: mmuster',
      'On call: akumar',
    ]);
    for (let i = 1; i < events.length; i++) expect(events[i]!.DTSTART).toBe(events[i - 1]!.DTEND);
    for (const e of events) expect(e.DTSTART).toMatch(/^\d{8}T\d{6}Z$/);
    expect(events[2]!.DTSTART).toBe('20261223T080000Z'); // 09:00 CET
    expect(new Set(events.map((e) => e.UID)).size).toBe(events.length);
    // Same input, same bytes.
    expect((await labctl(['oncall', 'ical', '-i', EXAMPLE, '--at', '2026-12-21T00:00', '--weeks', '3'])).stdout).toBe(
      text,
    );
  });
});

describe('labctl validate: on-call horizon and DST', () => {
  it('warns when the rendered rotation has ended or ends soon', async () => {
    const f = variant('short.yaml', (s) => s.replace('renderUntil: "2027-09-06"', 'renderUntil: "2026-09-20"'));
    const r = await labctl(['validate', f]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /short\.yaml:\d+:\d+ monitoring\.oncall\.renderUntil: warning: the rendered rotation ended on 2026-09-20/,
    );
  });

  it('rejects a renderUntil before the rotation starts', async () => {
    const f = variant('before.yaml', (s) => s.replace('renderUntil: "2027-09-06"', 'renderUntil: "2026-09-01"'));
    const r = await labctl(['validate', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('renderUntil 2026-09-01 is not after rotation.start 2026-09-07');
  });

  it('warns about a Sunday 02:30 hand-over that DST skips in Europe/Berlin', async () => {
    const f = variant('dst.yaml', (s) =>
      s.replace('handoverDay: monday', 'handoverDay: sunday').replace('handoverTime: "09:00"', 'handoverTime: "02:30"'),
    );
    const r = await labctl(['validate', f]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'monitoring.oncall.rotation.handoverTime: warning: hand-over sunday 02:30 falls into a DST change of Europe/Berlin on 2026-10-25',
    );
  });
});
