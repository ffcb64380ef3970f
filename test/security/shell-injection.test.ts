// Boundary 4: inventory values never become shell code (docs/security.md).
//
// 1. Which values reach a step script is found, not listed: every string field of the Site is marked in
//    turn, the plan rendered, and the scripts searched for the mark.
// 2. Each of those fields gets shell metacharacters ($(...), backticks, ;, newlines, quotes, a line ending
//    a here-document), each payload touching its own canary file. A value is either refused at render with
//    the field named, or reaches the script; the scripts are then run under real bash on a fake-rack host
//    (real sshd, real bash). So that every line runs (a failing apt would otherwise end a script before the
//    later lines), errexit is turned off and `fail`/`exit` return: the lines that carry values are unchanged.
//    No canary may exist afterwards.
// 3. A weakened copy of the templates (the quoting helpers removed) run the same way creates canaries.
// Run under the shared lock: flock /tmp/labctl-daemons.lock npx vitest run test/security/shell-injection.test.ts
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { EXAMPLE, ROOT } from '../helpers.ts';
import { resolve } from 'node:path';
import { FakeRack } from '../cluster/fakerack.ts';
import { installKubeStandIns } from '../cluster/standins.ts';
import { requireSite } from '../../installer/inventory/validate.ts';
import { buildPlan } from '../../installer/cluster/plan.ts';
import { STEPS, SECRET_VARS, type SecretName } from '../../installer/cluster/steps/index.ts';
import { runtimeAssignment, heredocBody } from '../../installer/cluster/shell.ts';
import { handlebars } from '../../installer/render/text.ts';
import type { Site } from '../../installer/inventory/types.ts';
import { ExitError } from '../../installer/core/diagnostics.ts';

type Path = (string | number)[];
const INPUTS: Record<SecretName, string> = {
  joinToken: 'abcdef.0123456789abcdef',
  caCertHash: `sha256:${'ab'.repeat(32)}`,
  certificateKey: 'cd'.repeat(32),
  siteCaCert: '-----BEGIN CERTIFICATE-----\nTUlJQg==\n-----END CERTIFICATE-----\n',
  // Secret values reach the env file of the etcd snapshot: shell metacharacters must stay data there too
  // (no blanks: the pattern of these values allows printable ASCII only).
  backupS3AccessKey: "AK'$(touch${IFS}/tmp/cnr-secret-1)'",
  backupS3SecretKey: 'SK`touch${IFS}/tmp/cnr-secret-2`;touch${IFS}/tmp/cnr-secret-3',
  backupEtcdPassword: `pw"$(touch\${IFS}/tmp/cnr-secret-4)"'\\'`,
};

/** A small site from the example: 3 control planes, a VM host, a storage node; every node with an interface. */
function baseSite(): Site {
  const r = requireSite(EXAMPLE);
  if (!('site' in r)) throw new Error('example invalid');
  const site = structuredClone(r.site);
  site.nodes = site.nodes.filter((n) => ['cp1', 'cp2', 'cp3', 'vmh1', 'stor1'].includes(n.name));
  for (const n of site.nodes) n.interface = 'eth0';
  return site;
}

function stringFields(site: Site): Path[] {
  const out: Path[] = [];
  const walk = (v: unknown, p: Path) => {
    if (typeof v === 'string') {
      out.push(p);
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, [...p, i]));
      return;
    }
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
  };
  for (const [k, v] of Object.entries(site)) if (k !== 'file' && k !== 'inventory') walk(v, [k]);
  return out;
}
const get = (o: unknown, p: Path): string => p.reduce((x: any, k) => x[k], o) as string;
const set = (o: unknown, p: Path, v: string) => {
  const parent = p.slice(0, -1).reduce((x: any, k) => x[k], o);
  parent[p[p.length - 1]!] = v;
};
const name = (p: Path) =>
  p
    .map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`))
    .join('')
    .slice(1);

const scriptsOf = (site: Site) =>
  buildPlan(site).phases.flatMap((p) =>
    p.hosts.flatMap((h) => h.steps.map((s) => ({ node: h.node, id: s.id, needs: s.needs, script: s.script }))),
  );

/** Shell metacharacters; each payload touches /tmp/cnr-<field>-<n> if bash ever runs it. */
const payloads = (f: number) => [
  `$(touch /tmp/cnr-${f}-1)`,
  `\`touch /tmp/cnr-${f}-2\``,
  `;touch /tmp/cnr-${f}-3;`,
  `\ntouch /tmp/cnr-${f}-4\n`,
  `'$(touch /tmp/cnr-${f}-5)'`,
  `"$(touch /tmp/cnr-${f}-6)"`,
  `' ; touch /tmp/cnr-${f}-7 ; '`,
];
const HEREDOC_BREAK = (f: number) => `\nLABCTL_EOF\ntouch /tmp/cnr-${f}-8\n`;

/** The script with errexit off and fail/exit returning, so every line (and so every value) is reached; the
 *  membership wait asks once instead of for 3 minutes (the stand-in kubectl knows no injected node name). */
const everyLine = (script: string) =>
  script
    .replace('set -euo pipefail', 'set -uo pipefail')
    .replace(/^membership_tries='?\d+'?$/m, "membership_tries='1'")
    .replace(
      /^fail\(\) \{[^\n]*\}$/m,
      'fail() { echo "LABCTL_ERROR: $*" >&2; return 1; }\nexit() { return "${1:-0}"; }',
    );

let rack: FakeRack;
const reaching: Path[] = [];
const refused: { field: string; message: string }[] = [];
let injected: Site;

beforeAll(async () => {
  // 1. the fields that reach a script
  const base = baseSite();
  const baseline = scriptsOf(base)
    .map((s) => s.script)
    .join('\n');
  stringFields(base).forEach((p, i) => {
    const s = structuredClone(base);
    const mark = `zqx${i}mark`;
    set(s, p, get(s, p) + mark);
    let text: string;
    try {
      text = scriptsOf(s)
        .map((x) => x.script)
        .join('\n');
    } catch {
      reaching.push(p);
      return;
    }
    if (text.includes(mark) && !baseline.includes(mark)) reaching.push(p);
  });
  // 2. payloads: refused at render, or carried into the scripts
  injected = baseSite();
  reaching.forEach((p, f) => {
    for (const extra of [payloads(f).join(''), HEREDOC_BREAK(f)]) {
      const s = structuredClone(injected);
      set(s, p, get(s, p) + extra);
      try {
        scriptsOf(s);
        set(injected, p, get(injected, p) + extra);
      } catch (e) {
        refused.push({ field: name(p), message: (e as Error).message });
      }
    }
  });
  rack = await FakeRack.create(44, [{ name: 'sandbox' }]);
  // kubeadm/kubectl stand-ins in "ok" mode: the membership waits answer at once instead of sleeping. The
  // sandbox has no network: apt-get and curl are stubs that fail at once (first in PATH) instead of retrying,
  // and so is apt-helper (called by its path; its key download otherwise took ~8 s per node to give up). The
  // values reach them as arguments after bash has expanded them: a stub sees the same words.
  installKubeStandIns(rack, 'sandbox');
  rack.run('sandbox', ['sh', '-c', 'echo ok > /etc/standin/mode; touch /var/lib/standin-api-up']);
  for (const stub of ['/usr/local/sbin/apt-get', '/usr/local/sbin/curl', '/usr/lib/apt/apt-helper']) {
    rack.run('sandbox', [
      'sh',
      '-c',
      `printf '#!/bin/sh\necho "STAND-IN ${stub}: no network in the sandbox" >&2\nexit 100\n' > ${stub} && chmod 755 ${stub}`,
    ]);
  }
}, 300_000);

afterAll(async () => {
  await rack?.destroy();
});

/** Runs every script of the site on the sandbox host; returns the canaries that exist afterwards. */
async function runAll(scripts: { needs: SecretName[]; script: string }[]): Promise<string[]> {
  const { runScriptOn } = await import('./rack-ssh.ts');
  rack.run('sandbox', ['sh', '-c', 'rm -f /tmp/cnr-*']);
  for (const s of scripts) {
    const vars = s.needs.map((n) => runtimeAssignment(n, SECRET_VARS[n], INPUTS[n])).join('');
    await runScriptOn(rack, 'sandbox', vars + everyLine(s.script), 120);
  }
  return rack.run('sandbox', ['sh', '-c', 'ls /tmp | grep ^cnr- || true']).split('\n').filter(Boolean).sort();
}

describe('shell metacharacters in every inventory value that reaches a step script', () => {
  it('finds the fields that reach scripts (by marking each string field of the Site in turn)', () => {
    const names = reaching.map(name);
    for (const f of [
      'site.name',
      'kubernetes.apiVip',
      'kubernetes.apiDnsName',
      'kubernetes.packageRepo',
      'network.aptProxy',
      'nodes[0].name',
      'nodes[0].address',
      'nodes[0].interface',
      'registry.hostname',
      'registry.proxyCaches[0].upstream',
      'network.podCidr',
    ])
      expect(names).toContain(f);
    expect(names.length).toBeGreaterThan(20);
  });

  it('values a strict pattern guards are refused at render with the field named; here-document breakers are refused', () => {
    const fields = refused.map((r) => r.field);
    expect(fields).toContain('network.aptProxy');
    expect(fields).toContain('kubernetes.packageRepo');
    expect(refused.find((r) => r.field === 'network.aptProxy')!.message).toMatch(
      /network\.aptProxy: .* is not an http\(s\):\/\/host\[:port\] proxy URL; refused/,
    );
    expect(refused.some((r) => /would end a here-document/.test(r.message))).toBe(true);
  });

  it('run under real bash on the fake rack, every step script of every node: no injected command runs', async () => {
    const scripts = scriptsOf(injected);
    expect(scripts.length).toBeGreaterThan(20);
    // the payloads really are in the scripts that run
    expect(scripts.some((s) => s.script.includes('touch /tmp/cnr-'))).toBe(true);
    expect(await runAll(scripts)).toEqual([]);
  }, 900_000);

  it('can fail: the same scripts from templates without the quoting helpers run the injected commands', async () => {
    const weak = new Map<string, HandlebarsTemplateDelegate>();
    const renderWeak = (tpl: string, data: object) => {
      let fn = weak.get(tpl);
      if (!fn) {
        const text = readFileSync(resolve(ROOT, 'installer/cluster/templates', tpl), 'utf8').replace(
          /\{\{(sq|heredoc) /g,
          '{{',
        );
        fn = handlebars.compile(text, { strict: true, noEscape: true });
        weak.set(tpl, fn);
      }
      return fn(data);
    };
    const scripts: { needs: SecretName[]; script: string }[] = [];
    for (const node of injected.nodes)
      for (const d of STEPS) {
        if (!d.appliesTo(injected, node) || d.produces) continue;
        let data: Record<string, unknown>;
        try {
          data = d.data(injected, node);
        } catch (e) {
          if (e instanceof ExitError) continue;
          throw e;
        }
        scripts.push({
          needs: d.needs ?? [],
          script: renderWeak('_prelude.sh.hbs', { step: d.id, node: node.name }) + '\n' + renderWeak(d.template, data),
        });
      }
    const canaries = await runAll(scripts);
    expect(canaries.length).toBeGreaterThan(3);
  }, 900_000);

  it('run-time values (join secrets, site CA) are checked against strict patterns before they become variables', () => {
    expect(() => runtimeAssignment('joinToken', 'T', "abcdef.0123456789abcdef'$(touch /tmp/x)'")).toThrow(
      /does not have the expected form; refused/,
    );
    expect(() =>
      runtimeAssignment('siteCaCert', 'C', "-----BEGIN CERTIFICATE-----\n'$(id)'\n-----END CERTIFICATE-----\n"),
    ).toThrow(/refused/);
    expect(runtimeAssignment('joinToken', 'T', INPUTS.joinToken)).toBe(`T='${INPUTS.joinToken}'\n`);
    expect(() => heredocBody('a\nLABCTL_EOF\nb')).toThrow(/would end a here-document/);
  });
});
