// Files named by flags (issue 13 section 2): every node path a rendered kubeadm config, static pod,
// containerd config/hosts.toml or step script names must be written by a step that runs before it is read.
//
// Readers and writers are read from the rendered plan itself (the scripts `up` would run), not declared by
// hand; the only declared part is what kubeadm itself writes during init/join (upstream:
// cmd/kubeadm/app/cmd/phases/init and join: certs, kubeconfig, control-plane, etcd, kubelet-start).
import { parseAllDocuments } from 'yaml';
import type { Site } from '../../installer/inventory/types.ts';
import type { Plan, PlannedStep } from '../../installer/cluster/plan.ts';
import { firstControlPlane, kubeadmInitConfig } from '../../installer/cluster/artifacts.ts';

// The certificates kubeadm makes (phases/certs): only these; any other file under pki/ is someone else's job.
const PKI = [
  'ca',
  'apiserver',
  'apiserver-kubelet-client',
  'front-proxy-ca',
  'front-proxy-client',
  'apiserver-etcd-client',
]
  .flatMap((c) => [`/etc/kubernetes/pki/${c}.crt`, `/etc/kubernetes/pki/${c}.key`])
  .concat(['/etc/kubernetes/pki/sa.key', '/etc/kubernetes/pki/sa.pub', '/etc/kubernetes/pki/etcd/']);
const KUBEADM_INIT_WRITES = [
  '/etc/kubernetes/admin.conf',
  '/etc/kubernetes/super-admin.conf',
  '/etc/kubernetes/kubelet.conf',
  '/etc/kubernetes/controller-manager.conf',
  '/etc/kubernetes/scheduler.conf',
  ...PKI,
  '/etc/kubernetes/manifests/',
  '/var/lib/kubelet/',
  '/var/lib/etcd/',
];
const KUBEADM_JOIN_WORKER_WRITES = [
  '/etc/kubernetes/kubelet.conf',
  '/etc/kubernetes/bootstrap-kubelet.conf',
  '/etc/kubernetes/pki/ca.crt',
  '/var/lib/kubelet/',
];
// A control-plane join writes admin.conf but not super-admin.conf (only init does); --upload-certs hands it
// only ca, sa, front-proxy-ca and etcd/ca (phases/copycerts certsToTransfer), kubeadm makes the rest.
const KUBEADM_JOIN_CP_WRITES = [
  ...KUBEADM_JOIN_WORKER_WRITES,
  '/etc/kubernetes/admin.conf',
  '/etc/kubernetes/controller-manager.conf',
  '/etc/kubernetes/scheduler.conf',
  ...PKI,
  '/etc/kubernetes/manifests/',
  '/var/lib/etcd/',
];

export interface Reference {
  node: string;
  step: string;
  path: string;
  by: string;
}

const NODE_PATH = /^\/(etc|var|usr|opt|run|srv)\//;

/** Absolute node paths among the string values of YAML documents (container-side mountPath excluded). */
function yamlPaths(text: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key = ''): void => {
    if (typeof v === 'string') {
      if (NODE_PATH.test(v) && key !== 'mountPath') out.push(v);
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((x) => walk(x, key));
      return;
    }
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      // kubeadm extraArgs are {name, value} pairs: the value is what the flag names.
      for (const [k, x] of Object.entries(o)) walk(x, k);
    }
  };
  for (const d of parseAllDocuments(text)) walk(d.toJS());
  return out;
}

/** Quoted here-document bodies of a script (the files it writes), with the command that reads each. */
function heredocs(script: string): { head: string; body: string }[] {
  const out: { head: string; body: string }[] = [];
  const re = /^(.*)<<'LABCTL_EOF'[^\n]*\n([\s\S]*?)^LABCTL_EOF$/gm;
  for (const m of script.matchAll(re)) out.push({ head: m[1]!, body: m[2]! });
  return out;
}

/** Simple `name=/path` and `name='/path'` assignments, for resolving "$name" in the script. */
function variables(script: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const m of script.matchAll(/^\s*(\w+)=('?)(\/[^'\s]*)\2\s*$/gm)) vars.set(m[1]!, m[3]!);
  return vars;
}
const resolveWord = (w: string, vars: Map<string, string>) =>
  w
    .replace(/^'(.*)'$/, '$1')
    .replace(/^"(.*)"$/, '$1')
    .replace(/\$\{?(\w+)\}?/g, (all, v: string) => vars.get(v) ?? all);

/** What a step script writes on its node: put_file targets, redirections, install targets, mkdir -p dirs, and kubeadm's own files. */
export function writesOf(step: PlannedStep, controlPlane: boolean): string[] {
  const vars = variables(step.script);
  const out: string[] = [];
  for (const m of step.script.matchAll(/put_file\s+(\S+)/g)) out.push(resolveWord(m[1]!, vars));
  for (const m of step.script.matchAll(/(?:^|[^2&])>\s*("[^"]+"|\/\S+)/g)) out.push(resolveWord(m[1]!, vars));
  for (const m of step.script.matchAll(/^\s*install\s+(?:-m\s+\d+\s+)?.*\s(\/\S+)\s*$/gm))
    out.push(resolveWord(m[1]!, vars));
  for (const m of step.script.matchAll(/mkdir -p ([^\n;&|]+)/g))
    for (const w of m[1]!.trim().split(/\s+/)) out.push(`${resolveWord(w, vars).replace(/\/$/, '')}/`);
  if (/^\s*kubeadm init /m.test(step.script)) out.push(...KUBEADM_INIT_WRITES);
  if (/^\s*kubeadm join /m.test(step.script))
    out.push(...(controlPlane ? KUBEADM_JOIN_CP_WRITES : KUBEADM_JOIN_WORKER_WRITES));
  return out.filter((p) => p.startsWith('/'));
}

/** Node paths a step's files and commands name, and what names them. */
export function referencesOf(
  site: Site,
  node: string,
  step: PlannedStep,
): { path: string; by: string; when: 'kubelet' | 'now' }[] {
  const out: { path: string; by: string; when: 'kubelet' | 'now' }[] = [];
  const vars = variables(step.script);
  for (const h of heredocs(step.script)) {
    const target = resolveWord(/put_file\s+(\S+)/.exec(h.head)?.[1] ?? '', vars);
    if (/apiVersion: kubeadm\.k8s\.io|kind: Pod/.test(h.body)) {
      const isPod = /^kind: Pod$/m.test(h.body);
      for (const p of yamlPaths(h.body))
        out.push({
          path: p,
          by: isPod ? `static pod ${target || 'manifest'}` : 'kubeadm configuration',
          when: isPod ? 'kubelet' : 'now',
        });
    } else if (/\.toml$/.test(target)) {
      for (const m of h.body.matchAll(/=\s*"(\/[^"]+)"/g)) out.push({ path: m[1]!, by: target, when: 'now' });
    }
  }
  // A control-plane join runs the cluster's ClusterConfiguration (kubeadm-config ConfigMap) on this node too.
  if (/^\s*kubeadm join /m.test(step.script) && /controlPlane:/.test(step.script)) {
    const cluster =
      kubeadmInitConfig(site, firstControlPlane(site))
        .split(/^---$/m)
        .find((d) => /kind: ClusterConfiguration/.test(d)) ?? '';
    for (const p of yamlPaths(cluster)) out.push({ path: p, by: 'ClusterConfiguration (kubeadm-config)', when: 'now' });
  }
  const code = step.script.replace(/<<'LABCTL_EOF'[^\n]*\n[\s\S]*?^LABCTL_EOF$/gm, '');
  for (const m of code.matchAll(/--(?:config|kubeconfig|cacert|cert|key)[ =]("[^"]+"|'[^']+'|\/\S+)/g)) {
    const p = resolveWord(m[1]!, vars);
    if (NODE_PATH.test(p) && !/\/etc\/kubernetes\/pki\/etcd\/(ca|server)\.(crt|key)$/.test(p))
      out.push({ path: p, by: `script flag ${m[0]}`, when: 'now' });
  }
  for (const m of code.matchAll(/KUBECONFIG=(\/\S+)/g)) out.push({ path: m[1]!, by: 'script KUBECONFIG', when: 'now' });
  for (const m of code.matchAll(/-in (\/\S+)/g)) out.push({ path: m[1]!, by: 'script -in', when: 'now' });
  void node;
  return out;
}

const covers = (written: string, path: string) =>
  written === path || (written.endsWith('/') && path.startsWith(written));

/**
 * Every reference without a writer before it is read, per node: a file a step or config names must be written
 * by an earlier step of the node, by the same step, or (for a static pod, read when kubelet starts it) by the
 * kubeadm init/join step that starts kubelet.
 */
export function unwrittenReferences(site: Site, plan: Plan): Reference[] {
  const problems: Reference[] = [];
  for (const node of site.nodes) {
    const steps = plan.phases.flatMap((p) => p.hosts.filter((h) => h.node === node.name).flatMap((h) => h.steps));
    const cp = node.roles.includes('control-plane');
    const writes = steps.map((s) => writesOf(s, cp));
    steps.forEach((step, i) => {
      for (const ref of referencesOf(site, node.name, step)) {
        let upTo = i;
        if (ref.when === 'kubelet') {
          const starter = steps.findIndex((s, j) => j >= i && /^\s*kubeadm (init|join) /m.test(s.script));
          upTo = starter >= 0 ? starter : i;
        }
        const ok = writes.slice(0, upTo + 1).some((w) => w.some((x) => covers(x, ref.path)));
        if (!ok) problems.push({ node: node.name, step: step.id, path: ref.path, by: ref.by });
      }
    });
  }
  return problems;
}
