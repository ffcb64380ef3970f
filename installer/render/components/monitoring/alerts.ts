// The monitoring component's own alerts: nodes and pods (node-exporter, kube-state-metrics), the control
// plane (etcd, the API server) and the alerting pipeline itself. Every other component declares its
// alerts in its own folder (alerts.ts); render gathers them all (platform/alert-rules.ts gatherAlerts).
import type { SiteContext } from '../../model.ts';
import { rotationOf, renderWindow } from '../../../inventory/rotation.ts';
import { alert, kc, type AlertGroup, RERENDER } from '../../platform/alert-rules.ts';
import { etcdSnapshotAlerts } from './etcd-snapshot-alerts.ts';

/** Adds the Kubernetes node name (label `node`) to a node-exporter series, from node_uname_info. */
const onNode = (e: string) =>
  `(${e}) * on(instance) group_left(node) label_replace(max by (instance, nodename) (node_uname_info), "node", "$1", "nodename", "(.*)")`;
const FS = 'fstype!~"tmpfs|overlay|squashfs|nsfs",mountpoint!~"/boot.*|/var/lib/kubelet/.*"';

export function alerts({ site }: SiteContext): AlertGroup[] {
  const rotation = rotationOf(site);
  const groups: AlertGroup[] = [];

  groups.push({
    name: 'labctl-nodes',
    alerts: [
      alert({
        name: 'NodeDown',
        severity: 'critical',
        for: '5m',
        expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0',
        summary: 'Node {{ $labels.node }} is not Ready',
        description:
          'The kubelet of {{ $labels.node }} has not reported Ready for 5 minutes; its pods and lab VMs are being evicted or are unreachable.',
        runbook: {
          meaning:
            'A server of the cluster stopped working as a Kubernetes node: it crashed, lost power or network, or its kubelet/containerd died. Pods and lab VMs on it stop; alerts about things on that node are inhibited while this one fires.',
          check: [
            kc('kubectl get node <node> -o wide'),
            kc('kubectl describe node <node>') + ' (Conditions, Events)',
            'Ping the node address from the inventory; log in with `ssh` (the inventory user) or the BMC console.',
            'On the node: `systemctl status kubelet containerd`, `journalctl -u kubelet --since -30min`.',
          ],
          fix: [
            'Power or network gone: restore it (BMC power cycle, check the ToR port).',
            'kubelet down: `systemctl restart containerd kubelet`; check disk space (`df -h /var`) and memory first.',
            'Hardware broken: `kubectl drain <node> --ignore-daemonsets --delete-emptydir-data` once reachable, then repair.',
          ],
          escalate:
            'If more than one node is down or a control-plane node stays down beyond 30 minutes, page the secondary and inform the platform admins: etcd quorum is at risk.',
        },
      }),
      alert({
        name: 'NodeFilesystemFillingUp',
        severity: 'warning',
        for: '1h',
        expr: onNode(
          `node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}} < 0.25 and predict_linear(node_filesystem_avail_bytes{${FS}}[6h], 24 * 3600) < 0`,
        ),
        summary: 'Filesystem {{ $labels.mountpoint }} on {{ $labels.node }} fills up within a day',
        description:
          'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.node }} has less than 25% free and, at the rate of the last 6 hours, will be full within 24 hours.',
        runbook: {
          meaning:
            'A node disk is predicted to run full within a day. When /var fills, kubelet evicts pods and containerd cannot pull images.',
          check: [
            'Grafana dashboard "Cluster" > node disk panel.',
            'On the node: `df -h`, `du -xh --max-depth=2 /var | sort -h | tail`.',
            kc('crictl images') + ' and ' + kc('journalctl --disk-usage') + '.',
          ],
          fix: [
            'Unused images: `crictl rmi --prune`.',
            'Logs: `journalctl --vacuum-size=500M`.',
            'Growth from a workload (emptyDir, hostPath): find and fix or move it to a PVC.',
          ],
          escalate:
            'If the growth cannot be explained or stopped within the day, hand over to the platform admins with the du output.',
        },
      }),
      alert({
        name: 'NodeFilesystemAlmostFull',
        severity: 'critical',
        for: '15m',
        expr: onNode(`node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}} < 0.05`),
        summary: 'Filesystem {{ $labels.mountpoint }} on {{ $labels.node }} is almost full',
        description:
          'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.node }} has less than 5% free space.',
        runbook: {
          meaning:
            'A node disk is nearly full. kubelet starts evicting pods at its hard threshold; etcd on a control-plane node stops accepting writes when its disk is full.',
          check: [
            'On the node: `df -h`, `du -xh --max-depth=2 /var | sort -h | tail`.',
            kc('kubectl describe node <node>') + ' (DiskPressure condition).',
          ],
          fix: [
            'Free space now: `crictl rmi --prune`, `journalctl --vacuum-size=200M`.',
            'Then find the cause as in NodeFilesystemFillingUp.',
          ],
          escalate: 'On a control-plane node page the secondary at once: etcd must not run out of disk.',
        },
      }),
      alert({
        name: 'NodeMemoryLow',
        severity: 'warning',
        for: '15m',
        expr: onNode('node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < 0.10'),
        summary: 'Node {{ $labels.node }} has less than 10% memory available',
        description:
          'Available memory on {{ $labels.node }} has been below 10% for 15 minutes; the OOM killer or kubelet eviction is next.',
        runbook: {
          meaning:
            'The node is short of memory. On VM hosts this usually means lab VMs overcommit memory (labs.overcommit.memory).',
          check: [
            'Grafana "Cluster" dashboard, memory per node.',
            kc('kubectl top pods -A --sort-by=memory | head -20'),
            kc('kubectl get vmi -A -o wide') + ' for VMs on the node.',
          ],
          fix: [
            'Move or stop the largest consumers (`virtctl stop`, `kubectl delete pod`).',
            `Lower labs.overcommit.memory in inventory.yaml or add memory/hosts, ${RERENDER}.`,
          ],
          escalate:
            'If memory stays low after stopping workloads, suspect a leak in a platform component and hand over to the platform admins.',
        },
      }),
      alert({
        name: 'NodeClockSkew',
        severity: 'warning',
        for: '10m',
        expr: onNode('abs(node_timex_offset_seconds) > 0.05'),
        summary: 'Clock of {{ $labels.node }} is off by more than 50 ms',
        description:
          'The NTP offset of {{ $labels.node }} has been above 50 ms for 10 minutes. etcd, TLS and Ceph need synchronised clocks.',
        runbook: {
          meaning:
            'The node clock drifts from NTP. Ceph warns at 50 ms (MON_CLOCK_SKEW); etcd leader elections and certificate validity checks get unreliable.',
          check: [
            'On the node: `timedatectl`, `chronyc tracking`, `chronyc sources -v`.',
            'Are the NTP servers of network.ntpServers reachable from the node?',
          ],
          fix: [
            '`systemctl restart chrony`; `chronyc makestep` for a large offset.',
            'Fix firewall/route to the NTP servers.',
          ],
          escalate: 'If all nodes drift together the campus NTP is at fault: contact the campus network team.',
        },
      }),
    ],
  });

  groups.push({
    name: 'labctl-pods',
    alerts: [
      alert({
        name: 'PodCrashLooping',
        severity: 'warning',
        for: '15m',
        expr: '(max by (namespace, pod, container) (max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m])) >= 1) * on(namespace, pod) group_left(node) max by (namespace, pod, node) (kube_pod_info)',
        summary: 'Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} is crash-looping',
        description:
          'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} on node {{ $labels.node }} has been in CrashLoopBackOff for 15 minutes.',
        runbook: {
          meaning:
            "A container keeps exiting and Kubernetes keeps restarting it with growing back-off. Replaces kube-prometheus-stack's KubePodCrashLooping so that the alert carries the node (NodeDown inhibits it).",
          check: [
            kc('kubectl -n <namespace> describe pod <pod>'),
            kc('kubectl -n <namespace> logs <pod> -c <container> --previous'),
            'Grafana Explore > Loki: `{namespace="<namespace>", pod="<pod>"}`.',
          ],
          fix: [
            'Configuration error: fix the values in the site repository and let ArgoCD sync.',
            'Missing Secret: check the secrets of the component (README of the site repository).',
            'OOMKilled: raise the memory limit.',
          ],
          escalate:
            'If a platform component (tiers crds/operators/resources/platform) keeps crashing after a fix attempt, hand over to the platform admins.',
        },
      }),
      alert({
        name: 'PodNotReady',
        severity: 'warning',
        for: '15m',
        expr: '(max by (namespace, pod) (kube_pod_status_phase{phase=~"Pending|Unknown|Failed"}) > 0) * on(namespace, pod) group_left(node) max by (namespace, pod, node) (kube_pod_info)',
        summary: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} has not been ready for 15 minutes',
        description:
          'Pod {{ $labels.namespace }}/{{ $labels.pod }} (node {{ $labels.node }}) has been Pending, Unknown or Failed for 15 minutes.',
        runbook: {
          meaning:
            "A pod does not run. Replaces kube-prometheus-stack's KubePodNotReady so that the alert carries the node (NodeDown inhibits it).",
          check: [
            kc('kubectl -n <namespace> describe pod <pod>') + ' (Events: scheduling, image pull, volume attach).',
            kc('kubectl get events -n <namespace> --sort-by=.lastTimestamp | tail'),
          ],
          fix: [
            'Unschedulable: free capacity or fix node selectors/tolerations.',
            'Image pull errors: check Harbor and the proxy-cache project.',
            'Volume not attaching: check Ceph (CephHealth* alerts) and the CSI pods in rook-ceph.',
          ],
          escalate:
            'Hand over to the owner of the namespace (course staff for course-* namespaces, platform admins otherwise).',
        },
      }),
    ],
  });

  groups.push({
    name: 'labctl-control-plane',
    alerts: [
      alert({
        name: 'EtcdNoLeader',
        severity: 'critical',
        for: '1m',
        expr: 'etcd_server_has_leader{job="kube-etcd"} == 0',
        summary: 'etcd member {{ $labels.instance }} has no leader',
        description: 'etcd member {{ $labels.instance }} has had no leader for a minute: the API server cannot write.',
        runbook: {
          meaning: 'etcd lost quorum or the member is cut off. Without a leader no Kubernetes object can change.',
          check: [
            'On a control-plane node: `crictl ps --name etcd`, `crictl logs <etcd container>`.',
            '`ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 --cacert /etc/kubernetes/pki/etcd/ca.crt --cert /etc/kubernetes/pki/etcd/server.crt --key /etc/kubernetes/pki/etcd/server.key endpoint status --cluster -w table`',
            'NodeDown / NodeClockSkew on control-plane nodes?',
          ],
          fix: [
            'Bring the missing control-plane nodes back (power, network).',
            'A member with a corrupted data dir: remove it (`etcdctl member remove`) and re-join the node (labctl).',
          ],
          escalate:
            'Page the secondary immediately and inform the platform admins; restoring from an etcd snapshot is a two-person job.',
        },
      }),
      alert({
        name: 'EtcdMemberDown',
        severity: 'warning',
        for: '5m',
        expr: 'up{job="kube-etcd"} == 0',
        summary: 'etcd member {{ $labels.instance }} is down',
        description:
          'Prometheus cannot scrape etcd member {{ $labels.instance }} for 5 minutes; one more failure loses quorum.',
        runbook: {
          meaning:
            'One of the three etcd members is down or unreachable. The cluster still works but has no redundancy left.',
          check: [
            'Which control-plane node? `kubectl -n kube-system get pods -l component=etcd -o wide`.',
            'On that node: `crictl ps -a --name etcd`, kubelet logs.',
          ],
          fix: [
            'Restart the kubelet of the node (static pod).',
            'Disk full or clock skew: see NodeFilesystemAlmostFull / NodeClockSkew.',
          ],
          escalate: 'If the member does not rejoin within an hour, hand over to the platform admins.',
        },
      }),
      alert({
        name: 'EtcdDatabaseFilling',
        severity: 'warning',
        for: '15m',
        expr: 'etcd_mvcc_db_total_size_in_bytes{job="kube-etcd"} / etcd_server_quota_backend_bytes{job="kube-etcd"} > 0.8',
        summary: 'etcd database of {{ $labels.instance }} is over 80% of its quota',
        description:
          'The etcd database on {{ $labels.instance }} uses more than 80% of its backend quota; at 100% etcd goes read-only (NOSPACE alarm).',
        runbook: {
          meaning: 'etcd keeps history until compaction and does not give space back until defragmentation.',
          check: [
            '`etcdctl endpoint status -w table` (DB SIZE) and `etcdctl alarm list`.',
            'Object counts: `kubectl get --raw /metrics | grep apiserver_storage_objects | sort -k2 -n | tail`.',
          ],
          fix: [
            'Defragment one member at a time: `etcdctl defrag --endpoints=<member>`.',
            'Delete runaway objects (events, completed Jobs, old VM snapshots).',
          ],
          escalate: 'If a NOSPACE alarm is raised, page the secondary: the cluster is read-only.',
        },
      }),
      // kubeadm's certificates (API server, etcd, front proxy, the kubeconfigs of controller-manager and
      // scheduler) last a year and nothing renews them but `kubeadm certs renew` or an upgrade. No component
      // exports their expiry, so the control-plane timer writes it as a node-exporter textfile
      // (installer/cluster/control-plane-timers.ts, `kubeadm certs check-expiration`).
      alert({
        name: 'KubeadmCertificateExpiring',
        severity: 'warning',
        for: '1h',
        expr: onNode('(labctl_kubeadm_certificate_expiration_timestamp_seconds - time()) < 30 * 86400'),
        summary: 'kubeadm {{ $labels.kind }} {{ $labels.certificate }} on {{ $labels.node }} expires within 30 days',
        description:
          'The kubeadm-managed {{ $labels.kind }} {{ $labels.certificate }} on control plane {{ $labels.node }} expires in less than 30 days. When it does, the API server or etcd refuses connections.',
        runbook: {
          meaning:
            'kubeadm issues the control-plane certificates for one year (the CAs for ten) and renews them only on `kubeadm certs renew` or `kubeadm upgrade`. An expired apiserver or etcd certificate stops the control plane.',
          check: [
            'On the node: `kubeadm certs check-expiration` (every certificate with its residual time).',
            'When the metric last ran: `systemctl status labctl-kubeadm-certs.timer`, `journalctl -u labctl-kubeadm-certs`.',
          ],
          fix: [
            'On each control plane, one at a time: `kubeadm certs renew all`, then restart the control-plane static pods (move /etc/kubernetes/manifests/*.yaml out and back after 20 s) and copy the new /etc/kubernetes/admin.conf where admins keep it (labctl state directory).',
            'A CA (kind="ca") cannot be renewed this way: plan a CA rotation with the platform admins (kubernetes.io "Manual Rotation of CA Certificates").',
            'Run `systemctl start labctl-kubeadm-certs` to refresh the metric.',
          ],
          escalate: 'Under 7 days (KubeadmCertificateExpiringSoon) page the secondary.',
        },
      }),
      alert({
        name: 'KubeadmCertificateExpiringSoon',
        severity: 'critical',
        for: '5m',
        expr: onNode('(labctl_kubeadm_certificate_expiration_timestamp_seconds - time()) < 7 * 86400'),
        summary: 'kubeadm {{ $labels.kind }} {{ $labels.certificate }} on {{ $labels.node }} expires within 7 days',
        description:
          'The kubeadm-managed {{ $labels.kind }} {{ $labels.certificate }} on control plane {{ $labels.node }} expires in less than 7 days; renew it now.',
        runbook: {
          meaning:
            'As KubeadmCertificateExpiring, with a week or less left: at expiry the control plane stops accepting connections.',
          check: ['`kubeadm certs check-expiration` on the node.'],
          fix: [
            '`kubeadm certs renew all` on each control plane, one at a time, then restart its control-plane static pods (see KubeadmCertificateExpiring).',
          ],
          escalate: 'Page the secondary and inform the platform admins now.',
        },
      }),
      alert({
        name: 'KubeadmCertificateCheckFailing',
        severity: 'warning',
        for: '3h',
        expr: onNode(
          'labctl_kubeadm_certs_check_success == 0 or (time() - labctl_kubeadm_certs_check_timestamp_seconds) > 3 * 3600',
        ),
        summary: 'The kubeadm certificate expiry check on {{ $labels.node }} fails or has stopped',
        description:
          'The hourly `kubeadm certs check-expiration` on {{ $labels.node }} failed or last ran more than 3 hours ago: KubeadmCertificateExpiring cannot warn for that node.',
        runbook: {
          meaning:
            'The timer labctl installs on control planes writes the certificate expiry metric. It fails when kubeadm cannot read the cluster configuration (admin.conf, API down) or a certificate.',
          check: [
            '`systemctl status labctl-kubeadm-certs.timer labctl-kubeadm-certs.service`, `journalctl -u labctl-kubeadm-certs --since -1d`.',
            '`kubeadm certs check-expiration` by hand on the node.',
          ],
          fix: [
            'Re-run the bootstrap for the node (`labctl up` re-installs the timer).',
            'Fix what kubeadm reports (missing admin.conf, unreadable certificate).',
          ],
          escalate: 'Hand over to the platform admins within a working day.',
        },
      }),
      alert({
        name: 'KubeAPIDown',
        severity: 'critical',
        for: '5m',
        expr: 'absent(up{job="apiserver"} == 1)',
        summary: 'The Kubernetes API server is unreachable',
        description:
          "No API server instance has been scraped successfully for 5 minutes. ArgoCD, operators and students' consoles stop working.",
        runbook: {
          meaning:
            'Prometheus cannot reach any API server through the Service. The API VIP (kube-vip) may have no holder or all API servers are down.',
          check: [
            '`kubectl --kubeconfig <admin.conf> get --raw /readyz?verbose` against the VIP and against each control-plane address.',
            'On control-plane nodes: `crictl ps --name kube-apiserver`, `crictl ps --name kube-vip`.',
            'Is etcd healthy (EtcdNoLeader)?',
          ],
          fix: [
            'Restart the kubelet on a control-plane node whose API server container is missing.',
            'VIP not held: check kube-vip logs and the mgmt network.',
            'Expired certificates: `kubeadm certs check-expiration`, then `kubeadm certs renew all`.',
          ],
          escalate: 'Page the secondary at once; inform the platform admins.',
        },
      }),
      alert({
        name: 'KubeAPIErrorsHigh',
        severity: 'warning',
        for: '10m',
        expr: 'sum(rate(apiserver_request_total{job="apiserver",code=~"5.."}[5m])) / sum(rate(apiserver_request_total{job="apiserver"}[5m])) > 0.05',
        summary: 'More than 5% of API server requests fail',
        description: 'Over the last 10 minutes more than 5% of Kubernetes API requests were answered with a 5xx error.',
        runbook: {
          meaning:
            "The API server answers with server errors: usually etcd latency, an admission webhook that is down, or an aggregated API (e.g. Calico's) that fails.",
          check: [
            '`kubectl get --raw /readyz?verbose`.',
            'Webhooks: `kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations` and whether their Services have endpoints.',
            '`kubectl get apiservices | grep -v True`.',
          ],
          fix: [
            'Restore the failing webhook or APIService backend (often after a component crash).',
            'etcd slow: check its disk latency (NodeFilesystem*, Ceph not involved: etcd uses local disks).',
          ],
          escalate: 'If errors exceed 20% or persist for an hour, hand over to the platform admins.',
        },
      }),
    ],
  });

  const meta = [
    alert({
      name: 'Watchdog',
      severity: 'none',
      expr: 'vector(1)',
      summary: 'Alerting pipeline heartbeat (always firing)',
      description:
        'This alert always fires. Alertmanager sends it to the heartbeat URL every minute; the external service alarms when it stops.',
      runbook: {
        meaning:
          "Not a problem: the dead man's switch. If the external heartbeat service reports that this alert stopped arriving, Prometheus, Alertmanager or the whole cluster is down.",
        check: ['Heartbeat service silent? Open Grafana and Alertmanager; `kubectl -n monitoring get pods`.'],
        fix: ['Bring Prometheus/Alertmanager back (their PVCs on Ceph, the monitoring namespace pods).'],
        escalate: 'If the cluster itself is unreachable, page the secondary and the platform admins.',
      },
    }),
  ];
  if (rotation) {
    const end = renderWindow(rotation).end;
    const warnAt = Math.floor(end / 1000) - 21 * 86400;
    meta.push(
      alert({
        name: 'OncallScheduleEnding',
        severity: 'warning',
        expr: `vector(time()) > ${warnAt}`,
        summary: 'The rendered on-call rotation ends within 3 weeks',
        description: `The rotation is rendered into Alertmanager until ${rotation.renderUntil}. After that every critical alert pages the whole roster. Raise monitoring.oncall.renderUntil (How to fix).`,
        runbook: {
          meaning:
            'Alertmanager time intervals are finite, so the rotation is rendered up to monitoring.oncall.renderUntil. This alert starts 21 days before that date.',
          check: ['`labctl oncall schedule --weeks 6` shows the weeks ahead.', '`labctl validate` warns as well.'],
          fix: [`Set monitoring.oncall.renderUntil a year ahead in inventory.yaml, ${RERENDER}.`],
          escalate: 'Nobody to page: this is housekeeping for the team in working hours.',
        },
      }),
    );
  }
  groups.push({ name: 'labctl-meta', alerts: meta });
  groups.push(...etcdSnapshotAlerts(site, onNode));
  return groups;
}
