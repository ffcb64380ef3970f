// The platform's alerts, by area. Metric names are those of the exporters the platform deploys:
// node-exporter and kube-state-metrics (kube-prometheus-stack), etcd and the API server, Calico felix,
// MetalLB controller + frr-k8s (0.16 renamed the BGP metrics to frrk8s_bgp_*), ingress-nginx,
// cert-manager, the Ceph mgr exporter (Rook), the Harbor exporter, Keycloak (26.x, user event metrics),
// the ArgoCD application controller and KubeVirt (virt-controller, virt-handler).
import type { Site } from '../../inventory/types.ts';
import { rotationOf, renderWindow } from '../../oncall/rotation.ts';
import { alert, type AlertGroup } from './rules.ts';
import { KEYCLOAK_NAMESPACE } from '../components/keycloak.ts';
import { ROOK_NAMESPACE } from '../components/rook-ceph.ts';

/** Namespaces of the components the rules and runbooks talk about. */
export const NS = { keycloak: KEYCLOAK_NAMESPACE, harbor: 'harbor', ceph: ROOK_NAMESPACE, calico: 'calico-system', courses: 'course-.+' };

/** Adds the Kubernetes node name (label `node`) to a node-exporter series, from node_uname_info. */
const onNode = (e: string) =>
  `(${e}) * on(instance) group_left(node) label_replace(max by (instance, nodename) (node_uname_info), "node", "$1", "nodename", "(.*)")`;
const FS = 'fstype!~"tmpfs|overlay|squashfs|nsfs",mountpoint!~"/boot.*|/var/lib/kubelet/.*"';

const kc = (cmd: string) => `\`${cmd}\``;
/** An inventory change reaching the cluster, as commands run in the site repository's root. */
const RERENDER = 'then, in the site repository: `labctl render -o .`, `git commit -am "<what and why>"`, `git push` (ArgoCD syncs it)';

export function alertGroups(site: Site): AlertGroup[] {
  const vmHosts = site.nodes.filter((n) => n.roles.includes('vm-host')).map((n) => n.name).sort();
  const rotation = rotationOf(site);
  const groups: AlertGroup[] = [];

  groups.push({ name: 'labctl-nodes', alerts: [
    alert({
      name: 'NodeDown', severity: 'critical', for: '5m',
      expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0',
      summary: 'Node {{ $labels.node }} is not Ready',
      description: 'The kubelet of {{ $labels.node }} has not reported Ready for 5 minutes; its pods and lab VMs are being evicted or are unreachable.',
      runbook: {
        meaning: 'A server of the cluster stopped working as a Kubernetes node: it crashed, lost power or network, or its kubelet/containerd died. Pods and lab VMs on it stop; alerts about things on that node are inhibited while this one fires.',
        check: [kc('kubectl get node <node> -o wide'), kc('kubectl describe node <node>') + ' (Conditions, Events)', 'Ping the node address from the inventory; log in with `ssh` (the inventory user) or the BMC console.', 'On the node: `systemctl status kubelet containerd`, `journalctl -u kubelet --since -30min`.'],
        fix: ['Power or network gone: restore it (BMC power cycle, check the ToR port).', 'kubelet down: `systemctl restart containerd kubelet`; check disk space (`df -h /var`) and memory first.', 'Hardware broken: `kubectl drain <node> --ignore-daemonsets --delete-emptydir-data` once reachable, then repair.'],
        escalate: 'If more than one node is down or a control-plane node stays down beyond 30 minutes, page the secondary and inform the platform admins: etcd quorum is at risk.',
      },
    }),
    alert({
      name: 'NodeFilesystemFillingUp', severity: 'warning', for: '1h',
      expr: onNode(`node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}} < 0.25 and predict_linear(node_filesystem_avail_bytes{${FS}}[6h], 24 * 3600) < 0`),
      summary: 'Filesystem {{ $labels.mountpoint }} on {{ $labels.node }} fills up within a day',
      description: 'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.node }} has less than 25% free and, at the rate of the last 6 hours, will be full within 24 hours.',
      runbook: {
        meaning: 'A node disk is predicted to run full within a day. When /var fills, kubelet evicts pods and containerd cannot pull images.',
        check: ['Grafana dashboard "Cluster" > node disk panel.', 'On the node: `df -h`, `du -xh --max-depth=2 /var | sort -h | tail`.', kc('crictl images') + ' and ' + kc('journalctl --disk-usage') + '.'],
        fix: ['Unused images: `crictl rmi --prune`.', 'Logs: `journalctl --vacuum-size=500M`.', 'Growth from a workload (emptyDir, hostPath): find and fix or move it to a PVC.'],
        escalate: 'If the growth cannot be explained or stopped within the day, hand over to the platform admins with the du output.',
      },
    }),
    alert({
      name: 'NodeFilesystemAlmostFull', severity: 'critical', for: '15m',
      expr: onNode(`node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}} < 0.05`),
      summary: 'Filesystem {{ $labels.mountpoint }} on {{ $labels.node }} is almost full',
      description: 'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.node }} has less than 5% free space.',
      runbook: {
        meaning: 'A node disk is nearly full. kubelet starts evicting pods at its hard threshold; etcd on a control-plane node stops accepting writes when its disk is full.',
        check: ['On the node: `df -h`, `du -xh --max-depth=2 /var | sort -h | tail`.', kc('kubectl describe node <node>') + ' (DiskPressure condition).'],
        fix: ['Free space now: `crictl rmi --prune`, `journalctl --vacuum-size=200M`.', 'Then find the cause as in NodeFilesystemFillingUp.'],
        escalate: 'On a control-plane node page the secondary at once: etcd must not run out of disk.',
      },
    }),
    alert({
      name: 'NodeMemoryLow', severity: 'warning', for: '15m',
      expr: onNode('node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < 0.10'),
      summary: 'Node {{ $labels.node }} has less than 10% memory available',
      description: 'Available memory on {{ $labels.node }} has been below 10% for 15 minutes; the OOM killer or kubelet eviction is next.',
      runbook: {
        meaning: 'The node is short of memory. On VM hosts this usually means lab VMs overcommit memory (labs.overcommit.memory).',
        check: ['Grafana "Cluster" dashboard, memory per node.', kc('kubectl top pods -A --sort-by=memory | head -20'), kc('kubectl get vmi -A -o wide') + ' for VMs on the node.'],
        fix: ['Move or stop the largest consumers (`virtctl stop`, `kubectl delete pod`).', `Lower labs.overcommit.memory in inventory.yaml or add memory/hosts, ${RERENDER}.`],
        escalate: 'If memory stays low after stopping workloads, suspect a leak in a platform component and hand over to the platform admins.',
      },
    }),
    alert({
      name: 'NodeClockSkew', severity: 'warning', for: '10m',
      expr: onNode('abs(node_timex_offset_seconds) > 0.05'),
      summary: 'Clock of {{ $labels.node }} is off by more than 50 ms',
      description: 'The NTP offset of {{ $labels.node }} has been above 50 ms for 10 minutes. etcd, TLS and Ceph need synchronised clocks.',
      runbook: {
        meaning: 'The node clock drifts from NTP. Ceph warns at 50 ms (MON_CLOCK_SKEW); etcd leader elections and certificate validity checks get unreliable.',
        check: ['On the node: `timedatectl`, `chronyc tracking`, `chronyc sources -v`.', 'Are the NTP servers of network.ntpServers reachable from the node?'],
        fix: ['`systemctl restart chrony`; `chronyc makestep` for a large offset.', 'Fix firewall/route to the NTP servers.'],
        escalate: 'If all nodes drift together the campus NTP is at fault: contact the campus network team.',
      },
    }),
  ] });

  groups.push({ name: 'labctl-pods', alerts: [
    alert({
      name: 'PodCrashLooping', severity: 'warning', for: '15m',
      expr: '(max by (namespace, pod, container) (max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m])) >= 1) * on(namespace, pod) group_left(node) max by (namespace, pod, node) (kube_pod_info)',
      summary: 'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} is crash-looping',
      description: 'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} on node {{ $labels.node }} has been in CrashLoopBackOff for 15 minutes.',
      runbook: {
        meaning: 'A container keeps exiting and Kubernetes keeps restarting it with growing back-off. Replaces kube-prometheus-stack\'s KubePodCrashLooping so that the alert carries the node (NodeDown inhibits it).',
        check: [kc('kubectl -n <namespace> describe pod <pod>'), kc('kubectl -n <namespace> logs <pod> -c <container> --previous'), 'Grafana Explore > Loki: `{namespace="<namespace>", pod="<pod>"}`.'],
        fix: ['Configuration error: fix the values in the site repository and let ArgoCD sync.', 'Missing Secret: check the secrets of the component (README of the site repository).', 'OOMKilled: raise the memory limit.'],
        escalate: 'If a platform component (tiers crds/operators/resources/platform) keeps crashing after a fix attempt, hand over to the platform admins.',
      },
    }),
    alert({
      name: 'PodNotReady', severity: 'warning', for: '15m',
      expr: '(max by (namespace, pod) (kube_pod_status_phase{phase=~"Pending|Unknown|Failed"}) > 0) * on(namespace, pod) group_left(node) max by (namespace, pod, node) (kube_pod_info)',
      summary: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} has not been ready for 15 minutes',
      description: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} (node {{ $labels.node }}) has been Pending, Unknown or Failed for 15 minutes.',
      runbook: {
        meaning: 'A pod does not run. Replaces kube-prometheus-stack\'s KubePodNotReady so that the alert carries the node (NodeDown inhibits it).',
        check: [kc('kubectl -n <namespace> describe pod <pod>') + ' (Events: scheduling, image pull, volume attach).', kc('kubectl get events -n <namespace> --sort-by=.lastTimestamp | tail')],
        fix: ['Unschedulable: free capacity or fix node selectors/tolerations.', 'Image pull errors: check Harbor and the proxy-cache project.', 'Volume not attaching: check Ceph (CephHealth* alerts) and the CSI pods in rook-ceph.'],
        escalate: 'Hand over to the owner of the namespace (course staff for course-* namespaces, platform admins otherwise).',
      },
    }),
  ] });

  groups.push({ name: 'labctl-control-plane', alerts: [
    alert({
      name: 'EtcdNoLeader', severity: 'critical', for: '1m',
      expr: 'etcd_server_has_leader{job="kube-etcd"} == 0',
      summary: 'etcd member {{ $labels.instance }} has no leader',
      description: 'etcd member {{ $labels.instance }} has had no leader for a minute: the API server cannot write.',
      runbook: {
        meaning: 'etcd lost quorum or the member is cut off. Without a leader no Kubernetes object can change.',
        check: ['On a control-plane node: `crictl ps --name etcd`, `crictl logs <etcd container>`.', '`ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 --cacert /etc/kubernetes/pki/etcd/ca.crt --cert /etc/kubernetes/pki/etcd/server.crt --key /etc/kubernetes/pki/etcd/server.key endpoint status --cluster -w table`', 'NodeDown / NodeClockSkew on control-plane nodes?'],
        fix: ['Bring the missing control-plane nodes back (power, network).', 'A member with a corrupted data dir: remove it (`etcdctl member remove`) and re-join the node (labctl).'],
        escalate: 'Page the secondary immediately and inform the platform admins; restoring from an etcd snapshot is a two-person job.',
      },
    }),
    alert({
      name: 'EtcdMemberDown', severity: 'warning', for: '5m',
      expr: 'up{job="kube-etcd"} == 0',
      summary: 'etcd member {{ $labels.instance }} is down',
      description: 'Prometheus cannot scrape etcd member {{ $labels.instance }} for 5 minutes; one more failure loses quorum.',
      runbook: {
        meaning: 'One of the three etcd members is down or unreachable. The cluster still works but has no redundancy left.',
        check: ['Which control-plane node? `kubectl -n kube-system get pods -l component=etcd -o wide`.', 'On that node: `crictl ps -a --name etcd`, kubelet logs.'],
        fix: ['Restart the kubelet of the node (static pod).', 'Disk full or clock skew: see NodeFilesystemAlmostFull / NodeClockSkew.'],
        escalate: 'If the member does not rejoin within an hour, hand over to the platform admins.',
      },
    }),
    alert({
      name: 'EtcdDatabaseFilling', severity: 'warning', for: '15m',
      expr: 'etcd_mvcc_db_total_size_in_bytes{job="kube-etcd"} / etcd_server_quota_backend_bytes{job="kube-etcd"} > 0.8',
      summary: 'etcd database of {{ $labels.instance }} is over 80% of its quota',
      description: 'The etcd database on {{ $labels.instance }} uses more than 80% of its backend quota; at 100% etcd goes read-only (NOSPACE alarm).',
      runbook: {
        meaning: 'etcd keeps history until compaction and does not give space back until defragmentation.',
        check: ['`etcdctl endpoint status -w table` (DB SIZE) and `etcdctl alarm list`.', 'Object counts: `kubectl get --raw /metrics | grep apiserver_storage_objects | sort -k2 -n | tail`.'],
        fix: ['Defragment one member at a time: `etcdctl defrag --endpoints=<member>`.', 'Delete runaway objects (events, completed Jobs, old VM snapshots).'],
        escalate: 'If a NOSPACE alarm is raised, page the secondary: the cluster is read-only.',
      },
    }),
    alert({
      name: 'KubeAPIDown', severity: 'critical', for: '5m',
      expr: 'absent(up{job="apiserver"} == 1)',
      summary: 'The Kubernetes API server is unreachable',
      description: 'No API server instance has been scraped successfully for 5 minutes. ArgoCD, operators and students\' consoles stop working.',
      runbook: {
        meaning: 'Prometheus cannot reach any API server through the Service. The API VIP (kube-vip) may have no holder or all API servers are down.',
        check: ['`kubectl --kubeconfig <admin.conf> get --raw /readyz?verbose` against the VIP and against each control-plane address.', 'On control-plane nodes: `crictl ps --name kube-apiserver`, `crictl ps --name kube-vip`.', 'Is etcd healthy (EtcdNoLeader)?'],
        fix: ['Restart the kubelet on a control-plane node whose API server container is missing.', 'VIP not held: check kube-vip logs and the mgmt network.', 'Expired certificates: `kubeadm certs check-expiration`, then `kubeadm certs renew all`.'],
        escalate: 'Page the secondary at once; inform the platform admins.',
      },
    }),
    alert({
      name: 'KubeAPIErrorsHigh', severity: 'warning', for: '10m',
      expr: 'sum(rate(apiserver_request_total{job="apiserver",code=~"5.."}[5m])) / sum(rate(apiserver_request_total{job="apiserver"}[5m])) > 0.05',
      summary: 'More than 5% of API server requests fail',
      description: 'Over the last 10 minutes more than 5% of Kubernetes API requests were answered with a 5xx error.',
      runbook: {
        meaning: 'The API server answers with server errors: usually etcd latency, an admission webhook that is down, or an aggregated API (e.g. Calico\'s) that fails.',
        check: ['`kubectl get --raw /readyz?verbose`.', 'Webhooks: `kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations` and whether their Services have endpoints.', '`kubectl get apiservices | grep -v True`.'],
        fix: ['Restore the failing webhook or APIService backend (often after a component crash).', 'etcd slow: check its disk latency (NodeFilesystem*, Ceph not involved: etcd uses local disks).'],
        escalate: 'If errors exceed 20% or persist for an hour, hand over to the platform admins.',
      },
    }),
  ] });

  groups.push({ name: 'labctl-network', alerts: [
    alert({
      name: 'CalicoNodeUnavailable', severity: 'critical', for: '10m',
      expr: `kube_daemonset_status_number_unavailable{namespace="${NS.calico}",daemonset="calico-node"} > 0`,
      summary: 'Calico is not running on every node',
      description: 'The calico-node DaemonSet has had unavailable pods for 10 minutes; pods on those nodes have no network.',
      runbook: {
        meaning: 'calico-node programs routes and policy on each node. Where it is missing, new pods get no network and BGP routes to that node are withdrawn.',
        check: [kc(`kubectl -n ${NS.calico} get pods -l k8s-app=calico-node -o wide`), kc(`kubectl -n ${NS.calico} logs <pod> -c calico-node`), kc('kubectl get tigerastatus')],
        fix: ['Crash-looping after an upgrade: check the tigera-operator logs and the Installation CR.', 'Node problems (disk, memory): fix the node first.'],
        escalate: 'If several nodes lose Calico, page the secondary and the platform admins.',
      },
    }),
    alert({
      name: 'CalicoDataplaneFailures', severity: 'warning', for: '15m',
      expr: 'increase(felix_int_dataplane_failures[15m]) > 2',
      summary: 'Calico felix on {{ $labels.instance }} fails to program the dataplane',
      description: 'Felix on {{ $labels.instance }} failed to apply dataplane updates more than twice in 15 minutes; policies or routes may be stale.',
      runbook: {
        meaning: 'Felix could not program iptables/nftables/routes. Network policies of new pods may not apply.',
        check: [kc(`kubectl -n ${NS.calico} logs <calico-node pod on the node> -c calico-node | grep -i fail`), 'Is the FelixConfiguration valid (`kubectl get felixconfiguration default -o yaml`)?'],
        fix: ['Restart the calico-node pod of that node.', 'Kernel modules missing after a kernel update: reboot into the right kernel.'],
        escalate: 'If it persists on several nodes, hand over to the platform admins.',
      },
    }),
    alert({
      name: 'MetalLBBGPSessionDown', severity: 'warning', for: '5m',
      expr: 'max by (peer, vrf, pod) (frrk8s_bgp_session_up) == 0',
      summary: 'BGP session from {{ $labels.pod }} to {{ $labels.peer }} is down',
      description: 'The frr-k8s BGP session of {{ $labels.pod }} to router {{ $labels.peer }} has been down for 5 minutes; LoadBalancer addresses are not announced from that node.',
      runbook: {
        meaning: 'A node no longer announces the LoadBalancer pools to a campus router. Traffic moves to the other nodes; if all sessions of a rack fail, that rack is unreachable for services.',
        check: ['Grafana dashboard "BGP sessions".', kc('kubectl -n metallb-system get frrnodestates') + ' and ' + kc('kubectl -n metallb-system exec <frr-k8s pod> -c frr -- vtysh -c "show bgp summary"'), 'Router side: the ToR\'s neighbor state and logs (password/ASN mismatch, BFD down).'],
        fix: ['Password changed on the router: update the secret-store entry (bgp.routers[].passwordRef) and re-sync.', 'Link down: check the node uplink and the ToR port.'],
        escalate: 'If the router side is at fault, contact the campus network team with the peer address and the time the session dropped.',
      },
    }),
    alert({
      name: 'MetalLBPoolExhausted', severity: 'warning', for: '5m',
      expr: 'metallb_allocator_addresses_in_use_total / metallb_allocator_addresses_total >= 0.9',
      summary: 'MetalLB pool {{ $labels.pool }} is (nearly) exhausted',
      description: 'At least 90% of the addresses of pool {{ $labels.pool }} are in use; new LoadBalancer Services will stay pending.',
      runbook: {
        meaning: 'The LoadBalancer address pool runs out. Existing services keep working; new ones get no external IP.',
        check: [kc('kubectl get svc -A --field-selector spec.type=LoadBalancer'), kc('kubectl -n metallb-system get ipaddresspools -o yaml')],
        fix: ['Delete unused LoadBalancer Services (lab leftovers).', `Enlarge bgp.pools in inventory.yaml (and get the range routed by the campus network), ${RERENDER}.`],
        escalate: 'A bigger pool needs the campus network team; ask for it before the pool is full.',
      },
    }),
  ] });

  groups.push({ name: 'labctl-ingress', alerts: [
    alert({
      name: 'IngressHigh5xxRate', severity: 'warning', for: '10m',
      expr: 'sum by (exported_namespace, ingress) (rate(nginx_ingress_controller_requests{status=~"5.."}[5m])) / sum by (exported_namespace, ingress) (rate(nginx_ingress_controller_requests[5m])) > 0.05 and sum by (exported_namespace, ingress) (rate(nginx_ingress_controller_requests[5m])) > 0.1',
      summary: 'Ingress {{ $labels.exported_namespace }}/{{ $labels.ingress }} answers more than 5% 5xx',
      description: 'More than 5% of the requests to ingress {{ $labels.exported_namespace }}/{{ $labels.ingress }} got a 5xx answer over 10 minutes.',
      runbook: {
        meaning: 'A web service behind the ingress fails: its backend pods are down (502/503) or slow (504).',
        check: ['Grafana dashboard "Ingress".', kc('kubectl -n <namespace> get ingress <ingress> -o wide') + ', then the endpoints of its backend Service.', 'Loki: `{namespace="ingress-nginx"} |= "<host>"`.'],
        fix: ['Fix the backend (see PodNotReady / PodCrashLooping for its pods).', 'Timeouts: check the backend\'s dependencies (database, Keycloak).'],
        escalate: 'Hand over to the owner of the service (platform admins for platform services).',
      },
    }),
    alert({
      name: 'IngressCertificateExpiring', severity: 'critical', for: '15m',
      expr: '(max by (host) (nginx_ingress_controller_ssl_expire_time_seconds) - time()) < 7 * 86400',
      summary: 'The certificate served for {{ $labels.host }} expires within 7 days',
      description: 'ingress-nginx serves a certificate for {{ $labels.host }} that expires in less than 7 days; cert-manager did not renew it.',
      runbook: {
        meaning: 'Browsers will reject the host when the certificate expires. cert-manager renews 30 days ahead, so renewal has been failing for weeks.',
        check: [kc('kubectl get certificate -A') + ' (READY column), ' + kc('kubectl describe certificate -n <ns> <name>'), kc('kubectl get certificaterequests,orders,challenges -A')],
        fix: ['Fix the issuer (see CertificateNotReady).', 'Force a renewal: `cmctl renew -n <ns> <name>`.'],
        escalate: 'If ACME/DNS is at fault (campus DNS refuses RFC2136 updates), contact the campus DNS team today.',
      },
    }),
  ] });

  groups.push({ name: 'labctl-cert-manager', alerts: [
    alert({
      name: 'CertificateNotReady', severity: 'warning', for: '15m',
      expr: 'max by (namespace, name) (certmanager_certificate_ready_status{condition!="True"}) == 1',
      summary: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} is not ready',
      description: 'cert-manager Certificate {{ $labels.namespace }}/{{ $labels.name }} has not been Ready for 15 minutes.',
      runbook: {
        meaning: 'cert-manager could not issue or renew a certificate. Existing certificates keep working until they expire.',
        check: [kc('kubectl describe certificate -n <namespace> <name>'), kc('kubectl get certificaterequests,orders,challenges -n <namespace>'), kc('kubectl -n cert-manager logs deploy/cert-manager | tail -50')],
        fix: ['DNS-01: check the TSIG secret (tls.rfc2136.tsigSecretRef) and that the campus DNS accepts updates.', 'HTTP-01: the name must be reachable from the internet.', 'Internal CA: the CA key pair Secret must exist in the cert-manager namespace.'],
        escalate: 'If the issuer is down for more than a day, hand over to the platform admins (CertificateExpiringSoon follows).',
      },
    }),
    alert({
      name: 'CertificateExpiringSoon', severity: 'warning', for: '1h',
      expr: '(max by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds) - time()) < 14 * 86400',
      summary: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} expires within 14 days',
      description: 'cert-manager Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than 14 days and was not renewed.',
      runbook: {
        meaning: 'Renewal should have happened 30 days before expiry; it is failing.',
        check: [kc('kubectl describe certificate -n <namespace> <name>'), 'See CertificateNotReady.'],
        fix: ['Fix the issuer, then `cmctl renew -n <namespace> <name>`.'],
        escalate: 'Below 3 days CertificateExpiryImminent pages; involve the campus DNS/PKI team before that.',
      },
    }),
    alert({
      name: 'CertificateExpiryImminent', severity: 'critical', for: '15m',
      expr: '(max by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds) - time()) < 3 * 86400',
      summary: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} expires within 3 days',
      description: 'cert-manager Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than 3 days.',
      runbook: {
        meaning: 'A platform certificate is about to expire; services using it will be rejected by clients.',
        check: [kc('kubectl describe certificate -n <namespace> <name>'), 'See CertificateNotReady.'],
        fix: ['Fix the issuer and renew (`cmctl renew`).', 'Last resort: switch the affected hosts to the internal CA issuer temporarily.'],
        escalate: 'Page the secondary and inform the platform admins now.',
      },
    }),
  ] });

  groups.push({ name: 'labctl-ceph', alerts: [
    alert({
      name: 'CephHealthWarning', severity: 'warning', for: '15m',
      expr: 'ceph_health_status == 1',
      summary: 'Ceph cluster health is HEALTH_WARN',
      description: 'The Ceph cluster in {{ $labels.namespace }} has reported HEALTH_WARN for 15 minutes.',
      runbook: {
        meaning: 'Ceph reports a degraded but working state: e.g. an OSD down, PGs degraded, clock skew, near-full OSDs.',
        check: ['Grafana dashboard "Ceph".', `\`kubectl -n ${NS.ceph} exec deploy/rook-ceph-tools -- ceph health detail\``, `\`kubectl -n ${NS.ceph} exec deploy/rook-ceph-tools -- ceph -s\``],
        fix: ['Act on the health detail: OSD down -> CephOSDDown; nearfull -> CephOSDNearFull; MON_CLOCK_SKEW -> NodeClockSkew.', 'Recovery in progress: wait and watch `ceph -s`.'],
        escalate: 'If the warning is not understood within a working day, hand over to the platform admins.',
      },
    }),
    alert({
      name: 'CephHealthError', severity: 'critical', for: '5m',
      expr: 'ceph_health_status == 2',
      summary: 'Ceph cluster health is HEALTH_ERR',
      description: 'The Ceph cluster in {{ $labels.namespace }} has reported HEALTH_ERR for 5 minutes; volumes may be read-only or unavailable.',
      runbook: {
        meaning: 'Ceph lost data availability (PGs inactive/down), OSDs are full, or monitors lost quorum. VM disks and PVCs may hang.',
        check: [`\`kubectl -n ${NS.ceph} exec deploy/rook-ceph-tools -- ceph health detail\``, '`ceph osd tree`, `ceph pg dump_stuck`, `ceph df`.'],
        fix: ['Bring down OSD hosts back (see NodeDown).', 'Full OSDs: delete data or add OSDs; temporarily `ceph osd set-full-ratio 0.97` only to allow deletions.'],
        escalate: 'Page the secondary and the platform admins now. Never delete OSDs or PGs without a second person.',
      },
    }),
    alert({
      name: 'CephOSDDown', severity: 'warning', for: '5m',
      expr: 'ceph_osd_up == 0',
      summary: 'Ceph {{ $labels.ceph_daemon }} is down',
      description: 'Ceph {{ $labels.ceph_daemon }} has been down for 5 minutes; data on it is degraded and recovers onto other OSDs.',
      runbook: {
        meaning: 'An OSD (one disk) is down. With 3 replicas across failure domains the data stays available, with less redundancy.',
        check: [`\`kubectl -n ${NS.ceph} get pods -l app=rook-ceph-osd -o wide\``, '`ceph osd tree down`', 'On the host: `dmesg | grep -i error`, `smartctl -a <disk>`.'],
        fix: ['OSD pod crash-looping: check its logs; restart the pod.', 'Disk failed: replace it and follow Rook\'s OSD replacement procedure (purge the OSD, wipe, let the operator recreate).'],
        escalate: 'Two OSDs down in different failure domains: page the secondary (risk of data unavailability).',
      },
    }),
    alert({
      name: 'CephOSDNearFull', severity: 'warning', for: '15m',
      expr: 'ceph_osd_stat_bytes_used / ceph_osd_stat_bytes > 0.80',
      summary: 'Ceph {{ $labels.ceph_daemon }} is more than 80% full',
      description: 'Ceph {{ $labels.ceph_daemon }} uses more than 80% of its capacity; Ceph warns at 85% and stops writes at 95%.',
      runbook: {
        meaning: 'Storage is running out. When one OSD is full, the whole pool stops accepting writes.',
        check: ['`ceph osd df tree`, `ceph df`.', 'Grafana dashboard "Ceph" > capacity.'],
        fix: ['Delete unused PVCs, old VM snapshots and images.', `Rebalance: \`ceph balancer status\`; add disks (nodes[].disks in inventory.yaml), ${RERENDER}.`],
        escalate: 'Order disks before 85%: hand over to the platform admins with `ceph df`.',
      },
    }),
    alert({
      name: 'CephOSDFull', severity: 'critical', for: '5m',
      expr: 'ceph_osd_stat_bytes_used / ceph_osd_stat_bytes > 0.90',
      summary: 'Ceph {{ $labels.ceph_daemon }} is more than 90% full',
      description: 'Ceph {{ $labels.ceph_daemon }} uses more than 90% of its capacity; backfill stops at 90% and writes stop at 95%.',
      runbook: {
        meaning: 'An OSD is about to block writes for every pool it serves.',
        check: ['`ceph osd df tree`, `ceph health detail`.'],
        fix: ['Free space now (delete PVCs/snapshots), reweight the fullest OSD (`ceph osd reweight <id> 0.9`).'],
        escalate: 'Page the secondary and inform the platform admins.',
      },
    }),
  ] });

  groups.push({ name: 'labctl-services', alerts: [
    alert({
      name: 'HarborComponentDown', severity: 'critical', for: '5m',
      expr: 'max by (namespace, component) (label_replace(harbor_up, "component", "$1", "exported_component", "(.+)")) == 0',
      summary: 'Harbor component {{ $labels.component }} is down',
      description: 'The Harbor exporter reports component {{ $labels.component }} in {{ $labels.namespace }} down for 5 minutes; image pulls of labs and nodes fail.',
      runbook: {
        meaning: 'Harbor serves lab images and the pull-through caches every node uses. Without it new pods and lab VMs cannot start.',
        check: [kc(`kubectl -n ${NS.harbor} get pods`), kc(`kubectl -n ${NS.harbor} logs deploy/harbor-core | tail -50`), 'Database (CloudNativePG cluster) and object store (Ceph RGW) healthy?'],
        fix: ['Restart the failing component\'s deployment.', 'registry down with S3 errors: check the Ceph object store and the harbor-s3 Secret.', 'database down: check the CNPG cluster in the harbor namespace.'],
        escalate: 'If Harbor is down for more than 30 minutes during lab hours, page the secondary and tell the course staff.',
      },
    }),
    alert({
      name: 'HarborProjectQuotaNearlyFull', severity: 'warning', for: '30m',
      expr: 'harbor_project_quota_usage_byte / (harbor_project_quota_byte > 0) > 0.9',
      summary: 'Harbor project {{ $labels.project_name }} uses more than 90% of its quota',
      description: 'Harbor project {{ $labels.project_name }} has used more than 90% of its storage quota; pushes will be refused soon.',
      runbook: {
        meaning: 'Pushes to the project (lab images, platform images) will fail when the quota is reached.',
        check: ['Harbor UI > Projects > <project> > Summary.'],
        fix: ['Run tag retention / garbage collection (Harbor UI > Administration > Clean Up).', 'Raise the quota if the growth is legitimate.'],
        escalate: 'Hand over to the project owner (course staff for lab projects).',
      },
    }),
    alert({
      name: 'KeycloakDown', severity: 'critical', for: '5m',
      expr: `(max by (namespace, statefulset) (kube_statefulset_status_replicas_ready{namespace="${NS.keycloak}"}) == 0) and on(namespace, statefulset) (max by (namespace, statefulset) (kube_statefulset_replicas{namespace="${NS.keycloak}"}) > 0)`,
      summary: 'Keycloak ({{ $labels.statefulset }}) has no ready instance',
      description: 'No instance of Keycloak StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} has been ready for 5 minutes: nobody can log in to ArgoCD, Grafana, Harbor or the labs.',
      runbook: {
        meaning: 'The single sign-on is down. Existing sessions continue until their tokens expire; new logins fail everywhere.',
        check: [kc(`kubectl -n ${NS.keycloak} get keycloak,pods`), kc(`kubectl -n ${NS.keycloak} logs <keycloak pod> | tail -100`), 'The database cluster (CloudNativePG) in the same namespace: `kubectl -n keycloak get clusters.postgresql.cnpg.io`.'],
        fix: ['Database down: fix the CNPG cluster first.', 'Crash after a realm change: check the operator logs and the KeycloakRealmImport status.', 'Campus LDAP unreachable only breaks LDAP users: Keycloak itself stays up.'],
        escalate: 'Page the secondary during lab hours; inform the platform admins.',
      },
    }),
    alert({
      name: 'KeycloakLoginErrorsHigh', severity: 'warning', for: '10m',
      expr: 'sum by (realm) (rate(keycloak_user_events_total{event="login",error!=""}[10m])) > 0.5',
      summary: 'Many failed logins in realm {{ $labels.realm }}',
      description: 'More than one failed login every 2 seconds in Keycloak realm {{ $labels.realm }} over 10 minutes: a broken federation or a password-guessing attack.',
      runbook: {
        meaning: 'Login failures are unusually frequent. Either the campus directory (LDAP/SAML) fails, or someone is guessing passwords.',
        check: ['Keycloak admin console > Realm > Events (enable login events if off).', 'Loki: `{namespace="keycloak"} |= "LOGIN_ERROR"` (error and IP address).', 'Campus LDAP reachable? (User federation > Test connection).'],
        fix: ['Federation broken: fix the bind credentials (identity.federation.ldap.bindPasswordRef) or the LDAP URL.', 'Attack: enable brute-force detection in the realm; block the source at the campus firewall.'],
        escalate: 'Suspected attack: inform the campus security team (CERT) with the source addresses.',
      },
    }),
    alert({
      name: 'ArgoCDAppDegraded', severity: 'warning', for: '15m',
      expr: 'max by (name, project, dest_namespace) (argocd_app_info{health_status="Degraded"}) == 1',
      summary: 'ArgoCD application {{ $labels.name }} is degraded',
      description: 'ArgoCD application {{ $labels.name }} (project {{ $labels.project }}) has been Degraded for 15 minutes.',
      runbook: {
        meaning: 'A component deployed by ArgoCD does not become healthy (pods failing, a CR reporting an error).',
        check: ['ArgoCD UI > application > resources with a red heart.', '`argocd app get <name>` or `kubectl -n argocd get application <name> -o yaml` (status.resources).'],
        fix: ['Fix the failing resource (see its own alerts); values are in components/<name>/ of the site repository.', 'A bad change: revert the commit in the site repository; ArgoCD syncs back.'],
        escalate: 'For tiers crds/operators/resources/platform hand over to the platform admins; for labs to the course staff.',
      },
    }),
    alert({
      name: 'ArgoCDAppOutOfSync', severity: 'warning', for: '2h',
      expr: 'max by (name, project, dest_namespace) (argocd_app_info{sync_status="OutOfSync"}) == 1',
      summary: 'ArgoCD application {{ $labels.name }} has been out of sync for 2 hours',
      description: 'ArgoCD application {{ $labels.name }} (project {{ $labels.project }}) differs from the site repository for 2 hours although auto-sync is on.',
      runbook: {
        meaning: 'The cluster does not match Git: a sync fails repeatedly, or someone changed resources by hand and self-heal cannot undo it.',
        check: ['ArgoCD UI > application > Sync status, last sync result and diff.', '`kubectl -n argocd get application <name> -o jsonpath={.status.operationState.message}`'],
        fix: ['Sync error (validation, missing CRD): fix the manifest in the site repository.', 'A field an operator changes (OutOfSync right after every sync): labctl\'s component must ignore it; report it to the labctl maintainers with the output of `kubectl -n argocd get application <app> -o jsonpath="{.status.resources}"`.'],
        escalate: 'Hand over to the platform admins if the diff is not understood.',
      },
    }),
  ] });

  const virt = [
    alert({
      name: 'KubeVirtVMFailedToStart', severity: 'warning', for: '10m',
      expr: 'max by (namespace, name, status) (kubevirt_vm_info{status_group="error"}) == 1',
      summary: 'VM {{ $labels.namespace }}/{{ $labels.name }} failed to start ({{ $labels.status }})',
      description: 'KubeVirt VM {{ $labels.namespace }}/{{ $labels.name }} has been in error state {{ $labels.status }} for 10 minutes.',
      runbook: {
        meaning: 'A VM that should run cannot: unschedulable (no capacity, no KVM host), image pull error, data volume error, or crash loop.',
        check: [kc('kubectl -n <namespace> get vm <name> -o yaml') + ' (status.conditions, printableStatus)', kc('kubectl -n <namespace> get vmi,pods,dv'), kc('kubectl -n <namespace> describe pod virt-launcher-<name>-...')],
        fix: ['ErrorUnschedulable: free capacity on VM hosts or fix the lab template\'s resources.', 'ErrImagePull: check the containerDisk image in Harbor.', 'DataVolumeError: check CDI importer pods and Ceph.'],
        escalate: 'For course VMs tell the course staff; for many VMs at once hand over to the platform admins.',
      },
    }),
  ];
  if (vmHosts.length) {
    virt.push(alert({
      name: 'KubeVirtHostWithoutKVM', severity: 'warning', for: '15m',
      expr: `max by (node) (kube_node_info{node=~"${vmHosts.join('|')}"}) unless on(node) (max by (node) (kube_node_status_allocatable{resource="devices_kubevirt_io_kvm"}) > 0)`,
      summary: 'VM host {{ $labels.node }} offers no /dev/kvm',
      description: 'Node {{ $labels.node }} has the vm-host role but has not advertised devices.kubevirt.io/kvm for 15 minutes; no lab VM can run there.',
      runbook: {
        meaning: 'virt-handler on the node found no usable /dev/kvm (virtualisation disabled in the BIOS, kvm module not loaded, or virt-handler not running), so the node\'s VM capacity is lost.',
        check: ['On the node: `ls -l /dev/kvm`, `lsmod | grep kvm`, `dmesg | grep -i kvm`.', kc('kubectl -n kubevirt get pods -l kubevirt.io=virt-handler -o wide'), kc('kubectl get node <node> -o jsonpath={.status.allocatable}')],
        fix: ['Enable VT-x/AMD-V in the BIOS, `modprobe kvm_intel` (or kvm_amd).', 'Restart the virt-handler pod on the node.'],
        escalate: 'BIOS changes need physical or BMC access: hand over to whoever runs the machine room.',
      },
    }));
  }
  groups.push({ name: 'labctl-kubevirt', alerts: virt });

  groups.push({ name: 'labctl-labs', alerts: [
    alert({
      name: 'LabVMsNotRunning', severity: 'warning', for: '10m',
      expr: `count by (namespace) (max by (namespace, name) (kubevirt_vm_info{namespace=~"${NS.courses}",status_group=~"error|starting"}) == 1) > 0`,
      summary: 'Students\' VMs in {{ $labels.namespace }} are not running',
      description: 'VMs of course namespace {{ $labels.namespace }} have been starting or failing for 10 minutes. Sent only during lab hours.',
      runbook: {
        meaning: 'Students cannot use their lab VMs: they were asked to run but are stuck starting or in an error state. Alertmanager sends this only during monitoring.labHours.',
        check: [kc('kubectl -n <namespace> get vm') + ' (STATUS column)', 'Grafana dashboard "Labs" for the course.', 'KubeVirtVMFailedToStart alerts for single VMs.'],
        fix: ['Capacity: stop idle VMs of other courses or add VM hosts.', 'Broken lab template or image: fix it in labs/<course>/ of the site repository.'],
        escalate: 'Tell the course staff (labs.courses[].staff) what is going on; hand over to the platform admins if the platform is at fault.',
      },
    }),
  ] });

  const meta = [
    alert({
      name: 'Watchdog', severity: 'none',
      expr: 'vector(1)',
      summary: 'Alerting pipeline heartbeat (always firing)',
      description: 'This alert always fires. Alertmanager sends it to the heartbeat URL every minute; the external service alarms when it stops.',
      runbook: {
        meaning: 'Not a problem: the dead man\'s switch. If the external heartbeat service reports that this alert stopped arriving, Prometheus, Alertmanager or the whole cluster is down.',
        check: ['Heartbeat service silent? Open Grafana and Alertmanager; `kubectl -n monitoring get pods`.'],
        fix: ['Bring Prometheus/Alertmanager back (their PVCs on Ceph, the monitoring namespace pods).'],
        escalate: 'If the cluster itself is unreachable, page the secondary and the platform admins.',
      },
    }),
  ];
  if (rotation) {
    const end = renderWindow(rotation).end;
    const warnAt = Math.floor(end / 1000) - 21 * 86400;
    meta.push(alert({
      name: 'OncallScheduleEnding', severity: 'warning',
      expr: `vector(time()) > ${warnAt}`,
      summary: 'The rendered on-call rotation ends within 3 weeks',
      description: `The rotation is rendered into Alertmanager until ${rotation.renderUntil}. After that every critical alert pages the whole roster. Raise monitoring.oncall.renderUntil (How to fix).`,
      runbook: {
        meaning: 'Alertmanager time intervals are finite, so the rotation is rendered up to monitoring.oncall.renderUntil. This alert starts 21 days before that date.',
        check: ['`labctl oncall schedule --weeks 6` shows the weeks ahead.', '`labctl validate` warns as well.'],
        fix: [`Set monitoring.oncall.renderUntil a year ahead in inventory.yaml, ${RERENDER}.`],
        escalate: 'Nobody to page: this is housekeeping for the team in working hours.',
      },
    }));
  }
  groups.push({ name: 'labctl-meta', alerts: meta });
  return groups;
}
