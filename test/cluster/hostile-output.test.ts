// A hostile node (anything answering over SSH at a node's address) writes terminal control sequences in
// its step output, its failure message and its preflight answers. Fed the way runPlan feeds them (chunks
// into StepLog, its lines as 'output' events into the progress display, stepFailure over the captured
// streams, checkHost over the gathered facts), none of them reaches the log, the terminal or the CI log
// raw: each is shown as \xNN / \u{NNNN}. And a step other than the join-credentials producer cannot
// register a LABCTL_SECRET (which would blank that word in every host's output). No daemons.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE } from '../helpers.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import { StepLog } from '../../installer/cluster/step-log.ts';
import { lineProgress, progressLine } from '../../installer/cluster/progress.ts';
import { stepFailure, type UpEvent } from '../../installer/cluster/apply.ts';
import { checkHost } from '../../installer/cluster/preflight.ts';
import type { Facts } from '../../installer/cluster/facts.ts';
import { redact } from '../../installer/ssh/redact.ts';

/** Bytes a terminal or log viewer acts on (newline aside: it ends the log's lines). */
const ACTING = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = [
  'Unpacking \x1b]0;PWNED\x07kubelet\n',
  'progress 10%\rfake: all steps done\n', // a lone CR mid-line overwrites what came before
  'ok \x1b[2K\x1b[1A\x9b2J\x7f \u202egnp.exe\n',
  'LABCTL_NOTE: note \x1b]8;;http://evil/\x07link\x1b]8;;\x07\n',
];

const dir = mkdtempSync(join(tmpdir(), 'labctl-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** runPlan's wiring: StepLog lines -> 'note' / 'output' events (runPlan's emit also escapes; here the StepLog alone). */
function feed(step: string, chunks: string[], opts?: { acceptSecrets?: boolean }): { events: UpEvent[]; log: string } {
  const events: UpEvent[] = [];
  const log = new StepLog(
    dir,
    'w1',
    step,
    (line) => {
      const note = /^LABCTL_NOTE: (.*)$/.exec(line);
      events.push(
        note
          ? { node: 'w1', step, kind: 'note', message: note[1] }
          : { node: 'w1', step, kind: 'output', message: line },
      );
    },
    opts,
  );
  // split mid-sequence, as SSH delivers chunks
  const all = chunks.join('');
  for (let i = 0; i < all.length; i += 7) log.write('out', all.slice(i, i + 7));
  log.close('exit 1');
  return { events, log: readFileSync(log.file!, 'utf8') };
}

describe("a hostile node's output is shown, not sent", () => {
  it('StepLog: the log file and every line it hands on hold no control character; the text is still there, escaped', () => {
    const { events, log } = feed('0010-os-prep', HOSTILE);
    expect(log).not.toMatch(ACTING);
    for (const e of events) expect(e.message).not.toMatch(ACTING);
    const out = events.map((e) => e.message).join('\n');
    expect(out).toContain('Unpacking \\x1b]0;PWNED\\x07kubelet');
    expect(out).toContain('progress 10%\\x0dfake: all steps done');
    expect(out).toContain('\\x9b2J\\x7f \\u{202e}gnp.exe');
    expect(events.find((e) => e.kind === 'note')?.message).toContain('\\x1b]8;;http://evil/\\x07link');
  });

  it("lineProgress: output events become the heartbeat's last line, failures a line: nothing acting is written", async () => {
    const lines: string[] = [];
    const p = lineProgress((s) => lines.push(s), 50);
    p.event({ node: 'w1', step: '0030-kube-packages', kind: 'start' });
    // raw events too (not only what StepLog already escaped): the display must not rely on its caller
    for (const l of HOSTILE) p.event({ node: 'w1', step: '0030-kube-packages', kind: 'output', message: l.trimEnd() });
    await new Promise((r) => setTimeout(r, 120));
    p.event({
      node: 'w1',
      step: '0030-kube-packages',
      kind: 'failed',
      message: 'w1 [0030-kube-packages]: \x1b[31mFAKE OK\x1b[0m\rdone',
    });
    await p.end(new Map());
    const text = lines.join('');
    expect(lines.some((l) => l.includes('still running'))).toBe(true);
    expect(text.replace(/\n/g, '')).not.toMatch(ACTING);
    expect(text).toContain('FAILED: w1 [0030-kube-packages]: \\x1b[31mFAKE OK\\x1b[0m\\x0ddone');
    expect(progressLine({ node: 'w1\x1b]0;x\x07', step: 's', kind: 'note', message: '\u2066x' })).not.toMatch(
      /[\x1b\x07\u2066]/,
    );
  });

  it("stepFailure: the host's last lines and its LABCTL_ERROR text come out escaped, on one line", () => {
    const plain = stepFailure(1, null, '', 'a\x1b]0;T\x07\nb\rc\n', 60);
    expect(plain).toBe('exit 1: a\\x1b]0;T\\x07 | b\\x0dc');
    expect(stepFailure(1, null, '', 'LABCTL_ERROR: disk \x1b[2Kfull\u202e\r\n', 60)).toBe('disk \\x1b[2Kfull\\u{202e}');
  });

  it("preflight: a hostname answered with an escape sequence is quoted escaped in the check's reason", () => {
    const r = requireSite(EXAMPLE);
    if (!('site' in r)) throw new Error('example inventory invalid');
    const node = r.site.nodes[0]!;
    const facts: Facts = {
      osId: 'debian',
      osVersionId: '12',
      osPretty: 'Debian \x1b]0;PWNED\x07',
      kernel: '6.1.0-30-amd64',
      arch: 'x86_64',
      hostname: 'x\x1b]0;PWNED\x07\x9b',
      init: 'systemd',
      cgroupFs: 'cgroup2fs',
      cpus: 8,
      cpuVirt: 'vmx',
      kvm: true,
      memTotalKiB: 32 << 20,
      swaps: [],
      ntpSynchronized: 'yes',
      timeDaemons: [],
      addresses: [`eth0\x1b[2K ${node.address}/24`],
      listening: [],
      lvm: true,
      rbd: 'module',
      containerd: '',
      containerdSocket: false,
      kubelet: false,
      kubeadm: false,
      clusterMember: false,
      docker: false,
      uid: 0,
      disks: [],
    };
    const checks = checkHost(r.site, node, facts);
    expect(checks.find((c) => c.id === 'hostname')?.reason).toContain('host calls itself "x\\x1b]0;PWNED\\x07\\x9b"');
    for (const c of checks) expect(c.reason ?? '').not.toMatch(ACTING);
  });
});

describe('LABCTL_SECRET: only the join-credentials step registers secrets', () => {
  it("another step's registration blanks nothing; the producer's does (and keeps it out of its log)", () => {
    const word = `w${process.pid}hostile`;
    const other = feed('0010-os-prep', [`LABCTL_SECRET joinToken=${word}\n`, `error: ${word}\n`]);
    expect(other.log).toContain(`error: ${word}`);
    expect(redact(`cp1: ${word} failed`)).toBe(`cp1: ${word} failed`);
    const token = `t${process.pid}producer`;
    const producer = feed('0055-join-credentials', [`LABCTL_SECRET joinToken=${token}\n`, `got ${token}\n`], {
      acceptSecrets: true,
    });
    expect(producer.log).not.toContain(token);
    expect(producer.log).toContain('got ***');
    expect(redact(`w2: ${token}`)).toBe('w2: ***');
  });
});
