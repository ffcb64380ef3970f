// STAND-INS for programs the fake rack cannot have, each named as a stand-in wherever it runs:
// - containerd/runc: the real release downloads are on the internet. The stand-in tarball has the upstream
//   layout (bin/containerd, bin/containerd-shim-runc-v2, bin/ctr) and is served by the rack's proxy at
//   /artifacts/; the step checks its sha256 exactly as it checks the real one's.
// - kubeadm/kubectl: kubeadm cannot run here (no kubelet, no API server). The kubeadm stand-in records its
//   arguments and a snapshot of every process's arguments, writes the files real kubeadm writes early
//   (admin.conf, kubelet.conf, the API server manifest, bootstrap-kubelet.conf holding the token), then
//   fails or succeeds as the test says (/etc/standin/mode). `kubeadm config validate` is handed to the REAL
//   kubeadm (.tools/bin/kubeadm, copied into the host) when the test provides it. The kubectl stand-in
//   answers as the API server would once the stand-in kubeadm "succeeded".
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeRack } from './fakerack.ts';
import type { Plan } from '../../installer/cluster/plan.ts';
import { inputsHash } from '../../installer/cluster/plan.ts';
import { containerdRelease, downloadUrl } from '../../installer/cluster/artifacts.ts';
import type { Site } from '../../installer/inventory/types.ts';

export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

const CONTAINERD_STANDIN = (version: string) => `#!/bin/bash
# STAND-IN for containerd ${version} (labctl tests): the fake rack cannot download the real release.
case "$1" in
  --version) echo "containerd github.com/containerd/containerd/v2 v${version} stand-in" ;;
  --config)
    [ "$3 $4" = "config dump" ] || { echo "stand-in containerd: $*" >&2; exit 1; }
    grep -q '^version = 3$' "$2" || { echo "stand-in containerd: $2 is not a version 3 config" >&2; exit 1; }
    cat "$2" ;;
  *) echo "stand-in containerd: $*" >&2; exit 1 ;;
esac
`;

const built = new Map<string, { tarball: Buffer; runc: Buffer }>();

/** The stand-in release tarball and runc binary, in the upstream file layout (built once per test file: the
 *  same bytes, so the same checksum and step inputs, on every run). */
export function containerdStandIn(version: string, runcVersion: string): { tarball: Buffer; runc: Buffer } {
  const key = `${version} ${runcVersion}`;
  const done = built.get(key);
  if (done) return done;
  const dir = mkdtempSync(join(tmpdir(), 'labctl-standin-'));
  try {
    mkdirSync(join(dir, 'bin'));
    for (const b of ['containerd', 'containerd-shim-runc-v2', 'ctr']) {
      writeFileSync(
        join(dir, 'bin', b),
        b === 'containerd' ? CONTAINERD_STANDIN(version) : `#!/bin/sh\necho "STAND-IN ${b}"\n`,
      );
      chmodSync(join(dir, 'bin', b), 0o755);
    }
    execFileSync('tar', ['-czf', join(dir, 'c.tar.gz'), '-C', dir, 'bin']);
    const out = {
      tarball: readFileSync(join(dir, 'c.tar.gz')),
      runc: Buffer.from(`#!/bin/sh\n# STAND-IN for runc\necho "runc version ${runcVersion}"\n`),
    };
    built.set(key, out);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Serves the stand-in release from the rack and points the plan's containerd step at it: the pinned URLs
 * become the rack's /artifacts/ and the pinned checksums the stand-ins' (the only change to the script).
 * `tamper` serves other bytes than the ones the checksum is taken of.
 */
export function serveContainerd(
  rack: FakeRack,
  site: Site,
  plan: Plan,
  o: { tamper?: boolean } = {},
): { tarballSha: string } {
  const rel = containerdRelease(site);
  const s = containerdStandIn(rel.version, rel.runc.version);
  const arch = 'amd64';
  const base = `http://${rack.gateway}:${rack.proxyPort}/artifacts/`;
  const tarName = downloadUrl(rel, arch).replace(/.*\//, '');
  rack.artifacts.set(tarName, o.tamper ? Buffer.concat([s.tarball, Buffer.from('tampered')]) : s.tarball);
  rack.artifacts.set(`runc.${arch}`, s.runc);
  for (const p of plan.phases)
    for (const h of p.hosts)
      for (const st of h.steps) {
        if (st.id !== '0020-containerd') continue;
        st.script = st.script
          .replace(downloadUrl(rel, arch), base + tarName)
          .replace(rel.sha256[arch], sha256(s.tarball))
          .replace(downloadUrl(rel.runc, arch), `${base}runc.${arch}`)
          .replace(rel.runc.sha256[arch], sha256(s.runc));
        st.inputs = inputsHash(st.id, st.script);
      }
  return { tarballSha: sha256(s.tarball) };
}

export const KUBEADM_STANDIN = `#!/bin/bash
# STAND-IN for kubeadm (labctl tests; kubeadm cannot run on the fake rack). Records each call, snapshots
# every process's arguments while it runs, writes what real kubeadm writes early, then does what
# /etc/standin/mode says: "fail" (after writing the files) or "ok".
set -u
log=/var/log/standin/kubeadm.log
mkdir -p /var/log/standin
echo "$*" >> "$log"
mode=$(cat /etc/standin/mode 2>/dev/null || echo fail)
snapshot() { for p in /proc/[0-9]*; do tr '\\0' ' ' < "$p/cmdline" 2>/dev/null; echo; done > "/var/log/standin/ps-$1.txt"; }
case "$1 \${2:-}" in
  "config validate")
    if [ -x /usr/local/libexec/kubeadm-real ]; then exec /usr/local/libexec/kubeadm-real "$@"; fi
    exit 0 ;;
  "init "*)
    snapshot init
    mkdir -p /etc/kubernetes/manifests /etc/kubernetes/pki /var/lib/etcd/member
    echo "stand-in admin.conf" > /etc/kubernetes/admin.conf
    echo "stand-in super-admin.conf" > /etc/kubernetes/super-admin.conf
    echo "stand-in kubelet.conf" > /etc/kubernetes/kubelet.conf
    echo "kind: Pod" > /etc/kubernetes/manifests/kube-apiserver.yaml
    if [ "$mode" = ok ]; then touch /var/lib/standin-api-up; exit 0; fi
    echo "[wait-control-plane] stand-in: the control plane did not come up" >&2; exit 1 ;;
  "join "*)
    snapshot join
    cfg=$3
    token=$(awk '/token:/ {gsub(/"/, "", $2); print $2}' "$cfg")
    mkdir -p /etc/kubernetes
    printf 'users:\\n- user:\\n    token: %s\\n' "$token" > /etc/kubernetes/bootstrap-kubelet.conf
    echo "stand-in kubelet.conf" > /etc/kubernetes/kubelet.conf
    if [ "$mode" = ok ]; then touch /var/lib/standin-api-up; exit 0; fi
    # Real kubeadm waits minutes for the kubelet before it fails: stay a second, so a watcher polling
    # /proc on a loaded machine sees this process (and its arguments) at least once.
    sleep 1
    echo "[kubelet-start] stand-in: timed out waiting for the kubelet" >&2; exit 1 ;;
  "reset "*)
    rm -rf /etc/kubernetes/manifests/* /etc/kubernetes/pki /etc/kubernetes/*.conf /var/lib/etcd /var/lib/standin-api-up
    exit 0 ;;
  *) echo "stand-in kubeadm: $*" >&2; exit 1 ;;
esac
`;

export const KUBECTL_STANDIN = `#!/bin/bash
# STAND-IN for kubectl (labctl tests): answers as the API server would once the stand-in kubeadm succeeded
# (/var/lib/standin-api-up): the node Ready, an etcd member named after it. Otherwise: connection refused.
echo "$*" >> /var/log/standin/kubectl.log
[ -e /var/lib/standin-api-up ] || { echo "The connection to the server was refused" >&2; exit 1; }
node=$(hostname)
case "$*" in
  *" get node "*) echo "True|kubelet is posting ready status" ;;
  *" exec "*"member list"*) echo "8e9e05c52164694d, started, $node, https://127.0.0.1:2380, https://127.0.0.1:2379, false" ;;
  *) exit 0 ;;
esac
`;

/** Installs the kubeadm and kubectl stand-ins (and the real kubeadm for `config validate`, when built) on a host. */
export function installKubeStandIns(rack: FakeRack, host: string, realKubeadm?: string): void {
  for (const [name, text] of [
    ['kubeadm', KUBEADM_STANDIN],
    ['kubectl', KUBECTL_STANDIN],
  ] as const) {
    writeFileSync(rack.path(host, `/usr/local/bin/${name}`), text, { mode: 0o755 });
  }
  mkdirSync(rack.path(host, '/etc/standin'), { recursive: true });
  mkdirSync(rack.path(host, '/var/log/standin'), { recursive: true });
  if (realKubeadm) {
    mkdirSync(rack.path(host, '/usr/local/libexec'), { recursive: true });
    writeFileSync(rack.path(host, '/usr/local/libexec/kubeadm-real'), readFileSync(realKubeadm), { mode: 0o755 });
  }
}

/**
 * Publishes STAND-IN kubelet/kubeadm/kubectl packages (each a script printing its version) at the given
 * Debian versions in the rack's signed flat repository (the packageRepo of rack inventories), re-signing it
 * with the rack's own key as fakerack.ts does. Real apt installs them on the hosts.
 */
export function publishKubePackages(rack: FakeRack, versions: string[]): void {
  const stanzas: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'labctl-debs-'));
  try {
    for (const v of versions)
      for (const p of ['kubelet', 'kubeadm', 'kubectl']) {
        const root = join(work, `${p}-${v}`);
        mkdirSync(join(root, 'DEBIAN'), { recursive: true });
        mkdirSync(join(root, 'usr/bin'), { recursive: true });
        writeFileSync(
          join(root, 'DEBIAN/control'),
          `Package: ${p}\nVersion: ${v}\nArchitecture: amd64\nMaintainer: labctl tests <test@labctl.invalid>\nDescription: STAND-IN ${p} for the labctl package step test\n`,
        );
        writeFileSync(join(root, 'usr/bin', `${p}-standin`), `#!/bin/sh\necho "STAND-IN ${p} ${v}"\n`, { mode: 0o755 });
        const deb = `${p}_${v}_amd64.deb`;
        execFileSync('dpkg-deb', ['--root-owner-group', '--build', root, join(rack.repoDir, deb)], { stdio: 'ignore' });
        const bytes = readFileSync(join(rack.repoDir, deb));
        stanzas.push(
          [
            `Package: ${p}`,
            `Version: ${v}`,
            'Architecture: amd64',
            'Maintainer: labctl tests <test@labctl.invalid>',
            `Filename: ./${deb}`,
            `Size: ${bytes.length}`,
            `SHA256: ${sha256(bytes)}`,
            `Description: STAND-IN ${p}`,
          ].join('\n'),
        );
      }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const packages = stanzas.join('\n\n') + '\n';
  writeFileSync(join(rack.repoDir, 'Packages'), packages);
  const release = [
    'Origin: labctl-test',
    'Label: labctl-test',
    'Suite: test',
    'Codename: test',
    `Date: ${new Date().toUTCString()}`,
    'Architectures: amd64',
    'SHA256:',
    ` ${sha256(packages)} ${Buffer.byteLength(packages)} Packages`,
    '',
  ].join('\n');
  writeFileSync(join(rack.repoDir, 'Release'), release);
  execFileSync('env', [
    `GNUPGHOME=${join(rack.dir, 'gnupg')}`,
    'gpg',
    '--batch',
    '--quiet',
    '--yes',
    '--clearsign',
    '-o',
    join(rack.repoDir, 'InRelease'),
    join(rack.repoDir, 'Release'),
  ]);
}
