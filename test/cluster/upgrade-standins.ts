// STAND-INS for the day-two tests (upgrade and remove on the fake rack), named as stand-ins wherever they run:
// - kubeadm (every node): records `upgrade plan|apply|node` and `reset` calls; kubeadm cannot run here.
// - kubectl (the first control plane, the API host): a stand-in API server kept in files under
//   /var/lib/standin on that host: each node's kubelet version, cordon marks, and Rook's toolbox answers
//   (`ceph osd ls-tree|out|safe-to-destroy`). `drain` obeys /etc/standin/drain-mode: "ok", "hang" (waits,
//   bounded, while /etc/standin/drain-mode says hang: the fault of a connection lost mid-drain) or "pdb" (the
//   eviction API refuses as a PodDisruptionBudget would, until --timeout, like kubectl drain does).
// - the kubelet's status report: no kubelet runs, so when a node's kubelet step finishes the TEST copies the
//   kubelet version real dpkg reports on that node into the stand-in API (reportKubelet below).
import { mkdirSync, writeFileSync } from 'node:fs';
import type { FakeRack } from './fakerack.ts';

export const DAY2_KUBEADM_STANDIN = `#!/bin/bash
# STAND-IN for kubeadm (labctl day-two tests): records the call and succeeds.
mkdir -p /var/log/standin
echo "$*" >> /var/log/standin/kubeadm.log
case "$1 \${2:-}" in
  "upgrade plan"|"upgrade apply"|"upgrade node") exit 0 ;;
  "reset "*) rm -rf /etc/kubernetes; exit 0 ;;
  *) echo "stand-in kubeadm: $*" >&2; exit 1 ;;
esac
`;

export const DAY2_KUBECTL_STANDIN = `#!/bin/bash
# STAND-IN for kubectl and the API server behind it (labctl day-two tests); state in /var/lib/standin.
set -u
st=/var/lib/standin
mkdir -p /var/log/standin "$st/nodes" "$st/cordoned" "$st/osds"
echo "$*" >> /var/log/standin/kubectl.log
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --kubeconfig|-n|-o) shift 2 ;;
    --kubeconfig=*|--request-timeout=*|-o=*) shift ;;
    *) args+=("$1"); shift ;;
  esac
done
set -- "\${args[@]}"
case "$1" in
  get)
    if [ "$2" = nodes ]; then
      for f in "$st"/nodes/*; do [ -e "$f" ] || continue; n=\${f##*/}; echo "$n $(cat "$f") True $([ -e "$st/cordoned/$n" ] && echo true)"; done
    else
      [ -e "$st/nodes/$3" ] || { echo "Error from server (NotFound): nodes \\"$3\\" not found" >&2; exit 1; }
      printf '%s True' "$(cat "$st/nodes/$3")"
    fi ;;
  cordon) touch "$st/cordoned/$2"; echo "node/$2 cordoned" ;;
  uncordon) rm -f "$st/cordoned/$2"; echo "node/$2 uncordoned" ;;
  drain)
    [ -e "$st/cordoned/$2" ] || { echo "stand-in: drain of $2 before cordon" >&2; exit 1; }
    timeout=$(printf '%s\\n' "$@" | sed -n 's/^--timeout=\\([0-9]*\\)s$/\\1/p')
    # Per node (/etc/standin/drain-mode.<node>) or for every node (/etc/standin/drain-mode).
    mf=/etc/standin/drain-mode.$2; [ -e "$mf" ] || mf=/etc/standin/drain-mode
    case "$(cat "$mf" 2>/dev/null || echo ok)" in
      hang) for i in $(seq 1 600); do [ "$(cat "$mf")" = hang ] || break; sleep 0.1; done ;;
      pdb)
        echo "evicting pod lab-os101/virt-launcher-vm-1-abcde"
        echo "error when evicting pods/\\"virt-launcher-vm-1-abcde\\" -n \\"lab-os101\\" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget." >&2
        sleep "\${timeout:-1}"
        echo "error: unable to drain node \\"$2\\" due to error: [error when waiting for pod \\"virt-launcher-vm-1-abcde\\" in namespace \\"lab-os101\\" to terminate: global timeout reached: \${timeout}s], continuing command..." >&2
        exit 1 ;;
    esac
    echo "node/$2 drained" ;;
  delete)
    [ "$2" = node ] || exit 1
    rm -f "$st/nodes/$3" "$st/cordoned/$3"; echo "node \\"$3\\" deleted" ;;
  exec)
    shift
    [ "$1" = deploy/rook-ceph-tools ] && [ "$2" = -- ] && [ "$3" = ceph ] || { echo "stand-in: exec $*" >&2; exit 1; }
    shift 3
    echo "ceph $*" >> /var/log/standin/ceph.log
    case "$1 $2" in
      "osd ls-tree") cat "$st/osds/$3" 2>/dev/null ;;
      "osd out") shift 2; for i in "$@"; do echo "marked out osd.$i."; done ;;
      "osd safe-to-destroy")
        # Ceph needs a while to move the data: not safe the first two times it is asked.
        c=$(( $(cat "$st/safe-calls" 2>/dev/null || echo 0) + 1 )); echo "$c" > "$st/safe-calls"
        [ "$c" -gt 2 ] || { echo "Error EBUSY: OSD(s) $3 have PGs currently mapped to them." >&2; exit 16; } ;;
      *) echo "stand-in ceph: $*" >&2; exit 1 ;;
    esac ;;
  *) echo "stand-in kubectl: $*" >&2; exit 1 ;;
esac
`;

/** The kubeadm stand-in on every host, the kubectl/API stand-in on the API host, and each node's registered
 *  kubelet version in the stand-in API. */
export function installDay2StandIns(
  rack: FakeRack,
  apiHost: string,
  nodes: Record<string, string>,
  osds: Record<string, string[]> = {},
): void {
  for (const h of rack.hosts.keys()) {
    writeFileSync(rack.path(h, '/usr/local/bin/kubeadm'), DAY2_KUBEADM_STANDIN, { mode: 0o755 });
    mkdirSync(rack.path(h, '/etc/standin'), { recursive: true });
    mkdirSync(rack.path(h, '/etc/kubernetes'), { recursive: true });
  }
  writeFileSync(rack.path(apiHost, '/usr/local/bin/kubectl'), DAY2_KUBECTL_STANDIN, { mode: 0o755 });
  writeFileSync(rack.path(apiHost, '/etc/kubernetes/admin.conf'), 'stand-in admin.conf\n');
  for (const d of ['nodes', 'cordoned', 'osds'])
    mkdirSync(rack.path(apiHost, `/var/lib/standin/${d}`), { recursive: true });
  for (const [n, v] of Object.entries(nodes)) writeFileSync(rack.path(apiHost, `/var/lib/standin/nodes/${n}`), v);
  for (const [n, ids] of Object.entries(osds))
    writeFileSync(rack.path(apiHost, `/var/lib/standin/osds/${n}`), ids.map((i) => `${i}\n`).join(''));
}

/** Stand-in for the kubelet's status update: the version real dpkg reports on the node, into the stand-in API. */
export function reportKubelet(rack: FakeRack, apiHost: string, node: string): void {
  const v = rack.run(node, ['dpkg-query', '-W', '-f=${Version}', 'kubelet']).trim().replace(/-.*$/, '');
  writeFileSync(rack.path(apiHost, `/var/lib/standin/nodes/${node}`), `v${v}`);
}

export const setDrainMode = (rack: FakeRack, apiHost: string, mode: 'ok' | 'hang' | 'pdb', node?: string) =>
  writeFileSync(rack.path(apiHost, `/etc/standin/drain-mode${node ? `.${node}` : ''}`), `${mode}\n`);
export const standinLog = (rack: FakeRack, host: string, name: 'kubeadm' | 'kubectl' | 'ceph') =>
  (rack.readFile(host, `/var/log/standin/${name}.log`) ?? '').split('\n').filter(Boolean);
