// Unit-test cases for every alert, as data: input series, when to look, and whether the alert must
// fire (with exactly which labels) or stay silent. alert-rules.test.ts turns them into promtool test
// files per rule group and runs the real `promtool test rules`.
export interface Series {
  series: string;
  values: string;
}
export interface AlertCase {
  alert: string;
  /** What the case shows, for the report. */
  name: string;
  series: Series[];
  evalTime: string;
  /** Labels of each expected alert (without alertname and severity, which the generator adds); [] = silent. */
  fires: Record<string, string>[];
}

const s = (series: string, values: string): Series => ({ series, values });
const uname = (instance: string, node: string) =>
  s(`node_uname_info{instance="${instance}",nodename="${node}"}`, '1x300');
const fsLabels = 'instance="10.10.1.21:9100",mountpoint="/var",device="/dev/sda2",fstype="ext4"';
const fsFires = { instance: '10.10.1.21:9100', mountpoint: '/var', device: '/dev/sda2', fstype: 'ext4', node: 'vmh1' };
const vm = (ns: string, name: string, status: string, group: string, v = '1x60') =>
  s(`kubevirt_vm_info{namespace="${ns}",name="${name}",status="${status}",status_group="${group}"}`, v);

export const CASES: AlertCase[] = [
  // nodes
  {
    alert: 'NodeDown',
    name: 'node not Ready for 10m',
    evalTime: '10m',
    series: [s('kube_node_status_condition{condition="Ready",status="true",node="vmh1"}', '0x20')],
    fires: [{ condition: 'Ready', status: 'true', node: 'vmh1' }],
  },
  {
    alert: 'NodeDown',
    name: 'not Ready for only 3m',
    evalTime: '3m',
    series: [s('kube_node_status_condition{condition="Ready",status="true",node="vmh1"}', '0x20')],
    fires: [],
  },
  {
    alert: 'NodeDown',
    name: 'node Ready',
    evalTime: '10m',
    series: [s('kube_node_status_condition{condition="Ready",status="true",node="vmh1"}', '1x20')],
    fires: [],
  },
  {
    alert: 'NodeFilesystemFillingUp',
    name: '/var shrinking 1 unit/min at 12% free',
    evalTime: '2h',
    series: [
      s(`node_filesystem_avail_bytes{${fsLabels}}`, '240-1x180'),
      s(`node_filesystem_size_bytes{${fsLabels}}`, '1000x180'),
      uname('10.10.1.21:9100', 'vmh1'),
    ],
    fires: [fsFires],
  },
  {
    alert: 'NodeFilesystemFillingUp',
    name: '20% free but not shrinking',
    evalTime: '2h',
    series: [
      s(`node_filesystem_avail_bytes{${fsLabels}}`, '200x180'),
      s(`node_filesystem_size_bytes{${fsLabels}}`, '1000x180'),
      uname('10.10.1.21:9100', 'vmh1'),
    ],
    fires: [],
  },
  {
    alert: 'NodeFilesystemAlmostFull',
    name: '4% free',
    evalTime: '20m',
    series: [
      s(`node_filesystem_avail_bytes{${fsLabels}}`, '40x30'),
      s(`node_filesystem_size_bytes{${fsLabels}}`, '1000x30'),
      uname('10.10.1.21:9100', 'vmh1'),
    ],
    fires: [fsFires],
  },
  {
    alert: 'NodeFilesystemAlmostFull',
    name: '10% free',
    evalTime: '20m',
    series: [
      s(`node_filesystem_avail_bytes{${fsLabels}}`, '100x30'),
      s(`node_filesystem_size_bytes{${fsLabels}}`, '1000x30'),
      uname('10.10.1.21:9100', 'vmh1'),
    ],
    fires: [],
  },
  {
    alert: 'NodeFilesystemAlmostFull',
    name: 'tmpfs ignored',
    evalTime: '20m',
    series: [
      s(
        'node_filesystem_avail_bytes{instance="10.10.1.21:9100",mountpoint="/run",device="tmpfs",fstype="tmpfs"}',
        '1x30',
      ),
      s(
        'node_filesystem_size_bytes{instance="10.10.1.21:9100",mountpoint="/run",device="tmpfs",fstype="tmpfs"}',
        '1000x30',
      ),
      uname('10.10.1.21:9100', 'vmh1'),
    ],
    fires: [],
  },
  {
    alert: 'NodeMemoryLow',
    name: '5% available',
    evalTime: '20m',
    series: [
      s('node_memory_MemAvailable_bytes{instance="10.10.2.31:9100"}', '5x30'),
      s('node_memory_MemTotal_bytes{instance="10.10.2.31:9100"}', '100x30'),
      uname('10.10.2.31:9100', 'stor2'),
    ],
    fires: [{ instance: '10.10.2.31:9100', node: 'stor2' }],
  },
  {
    alert: 'NodeMemoryLow',
    name: '50% available',
    evalTime: '20m',
    series: [
      s('node_memory_MemAvailable_bytes{instance="10.10.2.31:9100"}', '50x30'),
      s('node_memory_MemTotal_bytes{instance="10.10.2.31:9100"}', '100x30'),
      uname('10.10.2.31:9100', 'stor2'),
    ],
    fires: [],
  },
  {
    alert: 'NodeClockSkew',
    name: '-100 ms offset',
    evalTime: '15m',
    series: [s('node_timex_offset_seconds{instance="10.10.0.11:9100"}', '-0.1x20'), uname('10.10.0.11:9100', 'cp1')],
    fires: [{ instance: '10.10.0.11:9100', node: 'cp1' }],
  },
  {
    alert: 'NodeClockSkew',
    name: '10 ms offset',
    evalTime: '15m',
    series: [s('node_timex_offset_seconds{instance="10.10.0.11:9100"}', '0.01x20'), uname('10.10.0.11:9100', 'cp1')],
    fires: [],
  },
  // pods
  {
    alert: 'PodCrashLooping',
    name: 'CrashLoopBackOff for 20m, node attached',
    evalTime: '20m',
    series: [
      s(
        'kube_pod_container_status_waiting_reason{namespace="harbor",pod="harbor-core-0",container="core",reason="CrashLoopBackOff"}',
        '1x30',
      ),
      s('kube_pod_info{namespace="harbor",pod="harbor-core-0",node="vmh2"}', '1x30'),
    ],
    fires: [{ namespace: 'harbor', pod: 'harbor-core-0', container: 'core', node: 'vmh2' }],
  },
  {
    alert: 'PodCrashLooping',
    name: 'not waiting',
    evalTime: '20m',
    series: [
      s(
        'kube_pod_container_status_waiting_reason{namespace="harbor",pod="harbor-core-0",container="core",reason="CrashLoopBackOff"}',
        '0x30',
      ),
      s('kube_pod_info{namespace="harbor",pod="harbor-core-0",node="vmh2"}', '1x30'),
    ],
    fires: [],
  },
  {
    alert: 'PodNotReady',
    name: 'Pending for 20m',
    evalTime: '20m',
    series: [
      s('kube_pod_status_phase{namespace="course-os101",pod="web-1",phase="Pending"}', '1x30'),
      s('kube_pod_status_phase{namespace="course-os101",pod="web-1",phase="Running"}', '0x30'),
      s('kube_pod_info{namespace="course-os101",pod="web-1",node="vmh4"}', '1x30'),
    ],
    fires: [{ namespace: 'course-os101', pod: 'web-1', node: 'vmh4' }],
  },
  {
    alert: 'PodNotReady',
    name: 'Running',
    evalTime: '20m',
    series: [
      s('kube_pod_status_phase{namespace="course-os101",pod="web-1",phase="Pending"}', '0x30'),
      s('kube_pod_status_phase{namespace="course-os101",pod="web-1",phase="Running"}', '1x30'),
      s('kube_pod_info{namespace="course-os101",pod="web-1",node="vmh4"}', '1x30'),
    ],
    fires: [],
  },
  // control plane
  {
    alert: 'EtcdNoLeader',
    name: 'no leader for 2m',
    evalTime: '2m',
    series: [s('etcd_server_has_leader{job="kube-etcd",instance="10.10.0.11:2381"}', '0x10')],
    fires: [{ job: 'kube-etcd', instance: '10.10.0.11:2381' }],
  },
  {
    alert: 'EtcdNoLeader',
    name: 'has a leader',
    evalTime: '2m',
    series: [s('etcd_server_has_leader{job="kube-etcd",instance="10.10.0.11:2381"}', '1x10')],
    fires: [],
  },
  {
    alert: 'EtcdMemberDown',
    name: 'scrape fails 10m',
    evalTime: '10m',
    series: [s('up{job="kube-etcd",instance="10.10.0.12:2381"}', '0x20')],
    fires: [{ job: 'kube-etcd', instance: '10.10.0.12:2381' }],
  },
  {
    alert: 'EtcdMemberDown',
    name: 'other job down does not count',
    evalTime: '10m',
    series: [
      s('up{job="node-exporter",instance="10.10.0.12:9100"}', '0x20'),
      s('up{job="kube-etcd",instance="10.10.0.12:2381"}', '1x20'),
    ],
    fires: [],
  },
  {
    alert: 'EtcdDatabaseFilling',
    name: '90% of quota',
    evalTime: '20m',
    series: [
      s('etcd_mvcc_db_total_size_in_bytes{job="kube-etcd",instance="10.10.0.11:2381"}', '90x30'),
      s('etcd_server_quota_backend_bytes{job="kube-etcd",instance="10.10.0.11:2381"}', '100x30'),
    ],
    fires: [{ job: 'kube-etcd', instance: '10.10.0.11:2381' }],
  },
  {
    alert: 'EtcdDatabaseFilling',
    name: '50% of quota',
    evalTime: '20m',
    series: [
      s('etcd_mvcc_db_total_size_in_bytes{job="kube-etcd",instance="10.10.0.11:2381"}', '50x30'),
      s('etcd_server_quota_backend_bytes{job="kube-etcd",instance="10.10.0.11:2381"}', '100x30'),
    ],
    fires: [],
  },
  // kubeadm certificates: promtool's clock starts at 0, so an expiry timestamp is the seconds left at the start.
  {
    alert: 'KubeadmCertificateExpiring',
    name: '20 days left',
    evalTime: '2h',
    series: [
      s(
        'labctl_kubeadm_certificate_expiration_timestamp_seconds{job="node-exporter",instance="10.10.0.11:9100",certificate="apiserver",kind="cert"}',
        '1728000x200',
      ),
      uname('10.10.0.11:9100', 'cp1'),
    ],
    fires: [{ job: 'node-exporter', instance: '10.10.0.11:9100', certificate: 'apiserver', kind: 'cert', node: 'cp1' }],
  },
  {
    alert: 'KubeadmCertificateExpiring',
    name: '200 days left',
    evalTime: '2h',
    series: [
      s(
        'labctl_kubeadm_certificate_expiration_timestamp_seconds{job="node-exporter",instance="10.10.0.11:9100",certificate="apiserver",kind="cert"}',
        '17280000x200',
      ),
      uname('10.10.0.11:9100', 'cp1'),
    ],
    fires: [],
  },
  {
    alert: 'KubeadmCertificateExpiringSoon',
    name: '3 days left',
    evalTime: '30m',
    series: [
      s(
        'labctl_kubeadm_certificate_expiration_timestamp_seconds{job="node-exporter",instance="10.10.0.11:9100",certificate="apiserver",kind="cert"}',
        '259200x60',
      ),
      uname('10.10.0.11:9100', 'cp1'),
    ],
    fires: [{ job: 'node-exporter', instance: '10.10.0.11:9100', certificate: 'apiserver', kind: 'cert', node: 'cp1' }],
  },
  {
    alert: 'KubeadmCertificateExpiringSoon',
    name: '20 days left',
    evalTime: '30m',
    series: [
      s(
        'labctl_kubeadm_certificate_expiration_timestamp_seconds{job="node-exporter",instance="10.10.0.11:9100",certificate="apiserver",kind="cert"}',
        '1728000x60',
      ),
      uname('10.10.0.11:9100', 'cp1'),
    ],
    fires: [],
  },
  {
    alert: 'KubeadmCertificateCheckFailing',
    name: 'check fails for 4h',
    evalTime: '4h',
    series: [
      s('labctl_kubeadm_certs_check_success{job="node-exporter",instance="10.10.0.11:9100"}', '0x300'),
      s('labctl_kubeadm_certs_check_timestamp_seconds{job="node-exporter",instance="10.10.0.11:9100"}', '0+60x300'),
      uname('10.10.0.11:9100', 'cp1'),
    ],
    fires: [{ job: 'node-exporter', instance: '10.10.0.11:9100', node: 'cp1' }],
  },
  {
    alert: 'KubeadmCertificateCheckFailing',
    name: 'check stopped 5h ago (file stale)',
    evalTime: '7h',
    series: [
      s('labctl_kubeadm_certs_check_success{job="node-exporter",instance="10.10.0.11:9100"}', '1x500'),
      s('labctl_kubeadm_certs_check_timestamp_seconds{job="node-exporter",instance="10.10.0.11:9100"}', '60x500'),
      s('node_uname_info{instance="10.10.0.11:9100",nodename="cp1"}', '1x500'),
    ],
    fires: [{ job: 'node-exporter', instance: '10.10.0.11:9100', node: 'cp1' }],
  },
  {
    alert: 'KubeadmCertificateCheckFailing',
    name: 'check works and is fresh',
    evalTime: '4h',
    series: [
      s('labctl_kubeadm_certs_check_success{job="node-exporter",instance="10.10.0.11:9100"}', '1x300'),
      s('labctl_kubeadm_certs_check_timestamp_seconds{job="node-exporter",instance="10.10.0.11:9100"}', '0+60x300'),
      uname('10.10.0.11:9100', 'cp1'),
    ],
    fires: [],
  },
  // etcd snapshots: the example's schedule runs every 6 h, so the threshold is 2 x 6 h + 1 h = 13 h.
  {
    alert: 'EtcdSnapshotTooOld',
    name: 'last success at 0, 14 h later',
    evalTime: '14h',
    series: [
      s('labctl_etcd_snapshot_last_success_timestamp_seconds{job="node-exporter",instance="10.10.0.11:9100"}', '0x900'),
      s('node_uname_info{instance="10.10.0.11:9100",nodename="cp1"}', '1x900'),
    ],
    fires: [{ job: 'node-exporter', instance: '10.10.0.11:9100', node: 'cp1' }],
  },
  {
    alert: 'EtcdSnapshotTooOld',
    name: 'last success at 0, 12 h later (one run missed)',
    evalTime: '12h',
    series: [
      s('labctl_etcd_snapshot_last_success_timestamp_seconds{job="node-exporter",instance="10.10.0.11:9100"}', '0x900'),
      s('node_uname_info{instance="10.10.0.11:9100",nodename="cp1"}', '1x900'),
    ],
    fires: [],
  },
  {
    alert: 'EtcdSnapshotTooOld',
    name: 'a snapshot every 6 h',
    evalTime: '14h',
    series: [
      s(
        'labctl_etcd_snapshot_last_success_timestamp_seconds{job="node-exporter",instance="10.10.0.11:9100"}',
        '0x359 21600x359 43200x200',
      ),
      s('node_uname_info{instance="10.10.0.11:9100",nodename="cp1"}', '1x900'),
    ],
    fires: [],
  },
  {
    alert: 'EtcdSnapshotNeverSucceeded',
    name: 'control plane cp2 without the metric for 14 h, cp1 with it',
    evalTime: '14h',
    series: [
      s('kube_node_role{node="cp1",role="control-plane"}', '1x900'),
      s('kube_node_role{node="cp2",role="control-plane"}', '1x900'),
      s('kube_node_role{node="vmh1",role="worker"}', '1x900'),
      s(
        'labctl_etcd_snapshot_last_success_timestamp_seconds{job="node-exporter",instance="10.10.0.11:9100"}',
        '0+60x900',
      ),
      s('node_uname_info{instance="10.10.0.11:9100",nodename="cp1"}', '1x900'),
      s('node_uname_info{instance="10.10.0.12:9100",nodename="cp2"}', '1x900'),
    ],
    fires: [{ node: 'cp2' }],
  },
  {
    alert: 'EtcdSnapshotNeverSucceeded',
    name: 'a new control plane, 2 h without the metric',
    evalTime: '2h',
    series: [
      s('kube_node_role{node="cp2",role="control-plane"}', '1x900'),
      s('node_uname_info{instance="10.10.0.12:9100",nodename="cp2"}', '1x900'),
    ],
    fires: [],
  },
  {
    alert: 'KubeAPIDown',
    name: 'every API server scrape fails',
    evalTime: '10m',
    series: [s('up{job="apiserver",instance="10.10.0.11:6443"}', '0x20')],
    fires: [{}],
  },
  {
    alert: 'KubeAPIDown',
    name: 'one API server up',
    evalTime: '10m',
    series: [
      s('up{job="apiserver",instance="10.10.0.11:6443"}', '0x20'),
      s('up{job="apiserver",instance="10.10.0.12:6443"}', '1x20'),
    ],
    fires: [],
  },
  {
    alert: 'KubeAPIErrorsHigh',
    name: '10% 5xx',
    evalTime: '20m',
    series: [
      s('apiserver_request_total{job="apiserver",code="500"}', '0+10x30'),
      s('apiserver_request_total{job="apiserver",code="200"}', '0+90x30'),
    ],
    fires: [{}],
  },
  {
    alert: 'KubeAPIErrorsHigh',
    name: '1% 5xx',
    evalTime: '20m',
    series: [
      s('apiserver_request_total{job="apiserver",code="500"}', '0+1x30'),
      s('apiserver_request_total{job="apiserver",code="200"}', '0+99x30'),
    ],
    fires: [],
  },
  // network
  {
    alert: 'CalicoNodeUnavailable',
    name: 'one calico-node unavailable',
    evalTime: '15m',
    series: [s('kube_daemonset_status_number_unavailable{namespace="calico-system",daemonset="calico-node"}', '1x20')],
    fires: [{ namespace: 'calico-system', daemonset: 'calico-node' }],
  },
  {
    alert: 'CalicoNodeUnavailable',
    name: 'all available',
    evalTime: '15m',
    series: [s('kube_daemonset_status_number_unavailable{namespace="calico-system",daemonset="calico-node"}', '0x20')],
    fires: [],
  },
  {
    alert: 'CalicoDataplaneFailures',
    name: 'a failure per minute',
    evalTime: '40m',
    series: [s('felix_int_dataplane_failures{instance="10.10.1.21:9091"}', '0+1x60')],
    fires: [{ instance: '10.10.1.21:9091' }],
  },
  {
    alert: 'CalicoDataplaneFailures',
    name: 'no new failures',
    evalTime: '40m',
    series: [s('felix_int_dataplane_failures{instance="10.10.1.21:9091"}', '5x60')],
    fires: [],
  },
  {
    alert: 'MetalLBBGPSessionDown',
    name: 'session to tor-r1 down',
    evalTime: '10m',
    series: [
      s('frrk8s_bgp_session_up{peer="10.10.1.1",vrf="default",pod="frr-k8s-x7k2p",instance="10.10.1.21:7573"}', '0x20'),
    ],
    fires: [{ peer: '10.10.1.1', vrf: 'default', pod: 'frr-k8s-x7k2p' }],
  },
  {
    alert: 'MetalLBBGPSessionDown',
    name: 'session up',
    evalTime: '10m',
    series: [
      s('frrk8s_bgp_session_up{peer="10.10.1.1",vrf="default",pod="frr-k8s-x7k2p",instance="10.10.1.21:7573"}', '1x20'),
    ],
    fires: [],
  },
  {
    alert: 'MetalLBPoolExhausted',
    name: '58 of 61 in use',
    evalTime: '10m',
    series: [
      s('metallb_allocator_addresses_in_use_total{pool="campus"}', '58x20'),
      s('metallb_allocator_addresses_total{pool="campus"}', '61x20'),
    ],
    fires: [{ pool: 'campus' }],
  },
  {
    alert: 'MetalLBPoolExhausted',
    name: '10 of 61 in use',
    evalTime: '10m',
    series: [
      s('metallb_allocator_addresses_in_use_total{pool="campus"}', '10x20'),
      s('metallb_allocator_addresses_total{pool="campus"}', '61x20'),
    ],
    fires: [],
  },
  // ingress
  {
    alert: 'IngressHigh5xxRate',
    name: '20% 502 at 5 req/s',
    evalTime: '20m',
    series: [
      s('nginx_ingress_controller_requests{exported_namespace="harbor",ingress="harbor",status="502"}', '0+60x30'),
      s('nginx_ingress_controller_requests{exported_namespace="harbor",ingress="harbor",status="200"}', '0+240x30'),
    ],
    fires: [{ exported_namespace: 'harbor', ingress: 'harbor' }],
  },
  {
    alert: 'IngressHigh5xxRate',
    name: '0.2% 502',
    evalTime: '20m',
    series: [
      s('nginx_ingress_controller_requests{exported_namespace="harbor",ingress="harbor",status="502"}', '0+1x30'),
      s('nginx_ingress_controller_requests{exported_namespace="harbor",ingress="harbor",status="200"}', '0+599x30'),
    ],
    fires: [],
  },
  {
    alert: 'IngressHigh5xxRate',
    name: 'all errors but nearly no traffic',
    evalTime: '20m',
    series: [
      s('nginx_ingress_controller_requests{exported_namespace="harbor",ingress="harbor",status="502"}', '0+1x30'),
    ],
    fires: [],
  },
  {
    alert: 'IngressCertificateExpiring',
    name: '5 days left',
    evalTime: '20m',
    series: [
      s(
        'nginx_ingress_controller_ssl_expire_time_seconds{host="grafana.lab.example.edu",instance="10.10.1.21:10254"}',
        '432000x30',
      ),
    ],
    fires: [{ host: 'grafana.lab.example.edu' }],
  },
  {
    alert: 'IngressCertificateExpiring',
    name: '30 days left',
    evalTime: '20m',
    series: [
      s(
        'nginx_ingress_controller_ssl_expire_time_seconds{host="grafana.lab.example.edu",instance="10.10.1.21:10254"}',
        '2592000x30',
      ),
    ],
    fires: [],
  },
  // cert-manager
  {
    alert: 'CertificateNotReady',
    name: 'Ready=False for 20m',
    evalTime: '20m',
    series: [
      s('certmanager_certificate_ready_status{namespace="monitoring",name="grafana-tls",condition="False"}', '1x30'),
      s('certmanager_certificate_ready_status{namespace="monitoring",name="grafana-tls",condition="True"}', '0x30'),
    ],
    fires: [{ namespace: 'monitoring', name: 'grafana-tls' }],
  },
  {
    alert: 'CertificateNotReady',
    name: 'Ready=True',
    evalTime: '20m',
    series: [
      s('certmanager_certificate_ready_status{namespace="monitoring",name="grafana-tls",condition="False"}', '0x30'),
      s('certmanager_certificate_ready_status{namespace="monitoring",name="grafana-tls",condition="True"}', '1x30'),
    ],
    fires: [],
  },
  {
    alert: 'CertificateExpiringSoon',
    name: '10 days left',
    evalTime: '70m',
    series: [
      s('certmanager_certificate_expiration_timestamp_seconds{namespace="harbor",name="harbor-tls"}', '864000x80'),
    ],
    fires: [{ namespace: 'harbor', name: 'harbor-tls' }],
  },
  {
    alert: 'CertificateExpiringSoon',
    name: '30 days left',
    evalTime: '70m',
    series: [
      s('certmanager_certificate_expiration_timestamp_seconds{namespace="harbor",name="harbor-tls"}', '2592000x80'),
    ],
    fires: [],
  },
  {
    alert: 'CertificateExpiryImminent',
    name: '2 days left',
    evalTime: '20m',
    series: [
      s('certmanager_certificate_expiration_timestamp_seconds{namespace="harbor",name="harbor-tls"}', '172800x30'),
    ],
    fires: [{ namespace: 'harbor', name: 'harbor-tls' }],
  },
  {
    alert: 'CertificateExpiryImminent',
    name: '10 days left',
    evalTime: '20m',
    series: [
      s('certmanager_certificate_expiration_timestamp_seconds{namespace="harbor",name="harbor-tls"}', '864000x30'),
    ],
    fires: [],
  },
  // ceph
  {
    alert: 'CephHealthWarning',
    name: 'HEALTH_WARN 20m',
    evalTime: '20m',
    series: [s('ceph_health_status{namespace="rook-ceph"}', '1x30')],
    fires: [{ namespace: 'rook-ceph' }],
  },
  {
    alert: 'CephHealthWarning',
    name: 'HEALTH_ERR is not a warning',
    evalTime: '20m',
    series: [s('ceph_health_status{namespace="rook-ceph"}', '2x30')],
    fires: [],
  },
  {
    alert: 'CephHealthWarning',
    name: 'HEALTH_OK',
    evalTime: '20m',
    series: [s('ceph_health_status{namespace="rook-ceph"}', '0x30')],
    fires: [],
  },
  {
    alert: 'CephHealthError',
    name: 'HEALTH_ERR 10m',
    evalTime: '10m',
    series: [s('ceph_health_status{namespace="rook-ceph"}', '2x30')],
    fires: [{ namespace: 'rook-ceph' }],
  },
  {
    alert: 'CephHealthError',
    name: 'HEALTH_WARN',
    evalTime: '10m',
    series: [s('ceph_health_status{namespace="rook-ceph"}', '1x30')],
    fires: [],
  },
  {
    alert: 'CephOSDDown',
    name: 'osd.3 down',
    evalTime: '10m',
    series: [s('ceph_osd_up{ceph_daemon="osd.3",namespace="rook-ceph"}', '0x20')],
    fires: [{ ceph_daemon: 'osd.3', namespace: 'rook-ceph' }],
  },
  {
    alert: 'CephOSDDown',
    name: 'osd.3 up',
    evalTime: '10m',
    series: [s('ceph_osd_up{ceph_daemon="osd.3",namespace="rook-ceph"}', '1x20')],
    fires: [],
  },
  {
    alert: 'CephOSDNearFull',
    name: '85% used',
    evalTime: '20m',
    series: [
      s('ceph_osd_stat_bytes_used{ceph_daemon="osd.1",namespace="rook-ceph"}', '85x30'),
      s('ceph_osd_stat_bytes{ceph_daemon="osd.1",namespace="rook-ceph"}', '100x30'),
    ],
    fires: [{ ceph_daemon: 'osd.1', namespace: 'rook-ceph' }],
  },
  {
    alert: 'CephOSDNearFull',
    name: '70% used',
    evalTime: '20m',
    series: [
      s('ceph_osd_stat_bytes_used{ceph_daemon="osd.1",namespace="rook-ceph"}', '70x30'),
      s('ceph_osd_stat_bytes{ceph_daemon="osd.1",namespace="rook-ceph"}', '100x30'),
    ],
    fires: [],
  },
  {
    alert: 'CephOSDFull',
    name: '93% used',
    evalTime: '10m',
    series: [
      s('ceph_osd_stat_bytes_used{ceph_daemon="osd.1",namespace="rook-ceph"}', '93x30'),
      s('ceph_osd_stat_bytes{ceph_daemon="osd.1",namespace="rook-ceph"}', '100x30'),
    ],
    fires: [{ ceph_daemon: 'osd.1', namespace: 'rook-ceph' }],
  },
  {
    alert: 'CephOSDFull',
    name: '85% used',
    evalTime: '10m',
    series: [
      s('ceph_osd_stat_bytes_used{ceph_daemon="osd.1",namespace="rook-ceph"}', '85x30'),
      s('ceph_osd_stat_bytes{ceph_daemon="osd.1",namespace="rook-ceph"}', '100x30'),
    ],
    fires: [],
  },
  // services
  {
    alert: 'HarborComponentDown',
    name: 'registry down',
    evalTime: '10m',
    series: [
      s('harbor_up{namespace="harbor",component="registry"}', '0x20'),
      s('harbor_up{namespace="harbor",component="core"}', '1x20'),
    ],
    fires: [{ namespace: 'harbor', component: 'registry' }],
  },
  {
    alert: 'HarborComponentDown',
    name: 'label clash renamed to exported_component',
    evalTime: '10m',
    series: [s('harbor_up{namespace="harbor",component="exporter",exported_component="jobservice"}', '0x20')],
    fires: [{ namespace: 'harbor', component: 'jobservice' }],
  },
  {
    alert: 'HarborComponentDown',
    name: 'all up',
    evalTime: '10m',
    series: [s('harbor_up{namespace="harbor",component="registry"}', '1x20')],
    fires: [],
  },
  {
    alert: 'HarborProjectQuotaNearlyFull',
    name: '95 of 100',
    evalTime: '40m',
    series: [
      s('harbor_project_quota_usage_byte{project_name="labs"}', '95x50'),
      s('harbor_project_quota_byte{project_name="labs"}', '100x50'),
    ],
    fires: [{ project_name: 'labs' }],
  },
  {
    alert: 'HarborProjectQuotaNearlyFull',
    name: 'unlimited quota (-1)',
    evalTime: '40m',
    series: [
      s('harbor_project_quota_usage_byte{project_name="labs"}', '95x50'),
      s('harbor_project_quota_byte{project_name="labs"}', '-1x50'),
    ],
    fires: [],
  },
  {
    alert: 'KeycloakDown',
    name: '0 of 2 ready',
    evalTime: '10m',
    series: [
      s('kube_statefulset_status_replicas_ready{namespace="keycloak",statefulset="sso"}', '0x20'),
      s('kube_statefulset_replicas{namespace="keycloak",statefulset="sso"}', '2x20'),
    ],
    fires: [{ namespace: 'keycloak', statefulset: 'sso' }],
  },
  {
    alert: 'KeycloakDown',
    name: 'scaled to 0 on purpose',
    evalTime: '10m',
    series: [
      s('kube_statefulset_status_replicas_ready{namespace="keycloak",statefulset="sso"}', '0x20'),
      s('kube_statefulset_replicas{namespace="keycloak",statefulset="sso"}', '0x20'),
    ],
    fires: [],
  },
  {
    alert: 'KeycloakDown',
    name: '2 of 2 ready',
    evalTime: '10m',
    series: [
      s('kube_statefulset_status_replicas_ready{namespace="keycloak",statefulset="sso"}', '2x20'),
      s('kube_statefulset_replicas{namespace="keycloak",statefulset="sso"}', '2x20'),
    ],
    fires: [],
  },
  {
    alert: 'KeycloakLoginErrorsHigh',
    name: '1 failed login/s',
    evalTime: '25m',
    series: [
      s(
        'keycloak_user_events_total{realm="campus",event="login",error="invalid_user_credentials",client_id="grafana"}',
        '0+60x30',
      ),
    ],
    fires: [{ realm: 'campus' }],
  },
  {
    alert: 'KeycloakLoginErrorsHigh',
    name: 'many logins, few failures',
    evalTime: '25m',
    series: [
      s('keycloak_user_events_total{realm="campus",event="login",error="",client_id="grafana"}', '0+600x30'),
      s(
        'keycloak_user_events_total{realm="campus",event="login",error="invalid_user_credentials",client_id="grafana"}',
        '0+6x30',
      ),
    ],
    fires: [],
  },
  {
    alert: 'ArgoCDAppDegraded',
    name: 'harbor Degraded 20m',
    evalTime: '20m',
    series: [
      s(
        'argocd_app_info{name="harbor",project="platform",dest_namespace="harbor",health_status="Degraded",sync_status="Synced"}',
        '1x30',
      ),
    ],
    fires: [{ name: 'harbor', project: 'platform', dest_namespace: 'harbor' }],
  },
  {
    alert: 'ArgoCDAppDegraded',
    name: 'Healthy',
    evalTime: '20m',
    series: [
      s(
        'argocd_app_info{name="harbor",project="platform",dest_namespace="harbor",health_status="Healthy",sync_status="Synced"}',
        '1x30',
      ),
    ],
    fires: [],
  },
  {
    alert: 'ArgoCDAppOutOfSync',
    name: 'OutOfSync for 130m',
    evalTime: '130m',
    series: [
      s(
        'argocd_app_info{name="loki",project="platform",dest_namespace="logging",health_status="Healthy",sync_status="OutOfSync"}',
        '1x140',
      ),
    ],
    fires: [{ name: 'loki', project: 'platform', dest_namespace: 'logging' }],
  },
  {
    alert: 'ArgoCDAppOutOfSync',
    name: 'OutOfSync for 1h, then synced',
    evalTime: '130m',
    series: [
      s(
        'argocd_app_info{name="loki",project="platform",dest_namespace="logging",health_status="Healthy",sync_status="OutOfSync"}',
        '1x60 _x80',
      ),
      s(
        'argocd_app_info{name="loki",project="platform",dest_namespace="logging",health_status="Healthy",sync_status="Synced"}',
        '_x60 1x80',
      ),
    ],
    fires: [],
  },
  // kubevirt
  {
    alert: 'KubeVirtVMFailedToStart',
    name: 'ErrorUnschedulable 15m',
    evalTime: '15m',
    series: [vm('course-os101', 'vm-alice', 'ErrorUnschedulable', 'error')],
    fires: [{ namespace: 'course-os101', name: 'vm-alice', status: 'ErrorUnschedulable' }],
  },
  {
    alert: 'KubeVirtVMFailedToStart',
    name: 'Running',
    evalTime: '15m',
    series: [vm('course-os101', 'vm-alice', 'Running', 'running')],
    fires: [],
  },
  {
    alert: 'KubeVirtHostWithoutKVM',
    name: 'vmh3 advertises 0 kvm devices',
    evalTime: '20m',
    series: [
      s('kube_node_info{node="vmh3"}', '1x30'),
      s('kube_node_status_allocatable{node="vmh3",resource="devices_kubevirt_io_kvm"}', '0x30'),
    ],
    fires: [{ node: 'vmh3' }],
  },
  {
    alert: 'KubeVirtHostWithoutKVM',
    name: 'vmh5 has no kvm resource at all',
    evalTime: '20m',
    series: [s('kube_node_info{node="vmh5"}', '1x30')],
    fires: [{ node: 'vmh5' }],
  },
  {
    alert: 'KubeVirtHostWithoutKVM',
    name: 'vmh3 with kvm; stor1 (not a vm-host) without',
    evalTime: '20m',
    series: [
      s('kube_node_info{node="vmh3"}', '1x30'),
      s('kube_node_status_allocatable{node="vmh3",resource="devices_kubevirt_io_kvm"}', '1000x30'),
      s('kube_node_info{node="stor1"}', '1x30'),
    ],
    fires: [],
  },
  // labs
  {
    alert: 'LabVMsNotRunning',
    name: 'two VMs of os101 stuck',
    evalTime: '15m',
    series: [
      vm('course-os101', 'vm-a', 'Starting', 'starting'),
      vm('course-os101', 'vm-b', 'ErrImagePull', 'error'),
      vm('course-os101', 'vm-c', 'Running', 'running'),
    ],
    fires: [{ namespace: 'course-os101' }],
  },
  {
    alert: 'LabVMsNotRunning',
    name: 'stopped by students / not a course namespace',
    evalTime: '15m',
    series: [vm('course-os101', 'vm-a', 'Stopped', 'non_running'), vm('harbor', 'vm-x', 'ErrImagePull', 'error')],
    fires: [],
  },
  // meta
  { alert: 'Watchdog', name: 'fires at start', evalTime: '0m', series: [], fires: [{}] },
  { alert: 'Watchdog', name: 'still fires 30 days later', evalTime: '720h', series: [], fires: [{}] },
];

/** Cases for OncallScheduleEnding depend on the rendered horizon (computed from the rule). The meta
 * group is evaluated in steps of META_STEP_HOURS, so the times are multiples of it. */
export const META_STEP_HOURS = 240;
export function oncallCases(warnAtSeconds: number): AlertCase[] {
  const step = META_STEP_HOURS * 3600;
  const k = Math.ceil((warnAtSeconds + 1) / step);
  return [
    {
      alert: 'OncallScheduleEnding',
      name: 'first step after the warning threshold',
      evalTime: `${k * META_STEP_HOURS}h`,
      series: [],
      fires: [{}],
    },
    {
      alert: 'OncallScheduleEnding',
      name: 'two steps (20 days) before it',
      evalTime: `${(k - 2) * META_STEP_HOURS}h`,
      series: [],
      fires: [],
    },
  ];
}

/**
 * Velero's alerts (components/velero/alerts.ts) for the default schedule `0 3 * * *`: a backup may be 28h
 * old (24h interval + 4h to run). Only sites with `backup:` have them; test/monitoring/velero-alerts.test.ts
 * runs them on their own, and test/monitoring/alert-rules.test.ts with the example (which has one).
 */
export const VELERO_CASES: AlertCase[] = [
  {
    alert: 'VeleroBackupTooOld',
    name: 'last success 29h ago',
    evalTime: '29h',
    series: [s('velero_backup_last_successful_timestamp{schedule="platform"}', '0x1800')],
    fires: [{ schedule: 'platform' }],
  },
  {
    alert: 'VeleroBackupTooOld',
    name: 'last success 9h ago',
    evalTime: '29h',
    series: [s('velero_backup_last_successful_timestamp{schedule="platform"}', '72000x1800')],
    fires: [],
  },
  {
    alert: 'VeleroBackupTooOld',
    name: 'labs never succeeded, Velero up for 29h',
    evalTime: '29h',
    series: [
      s('velero_backup_attempt_total{schedule="labs"}', '0x1800'),
      s('process_start_time_seconds{namespace="velero"}', '0x1800'),
    ],
    fires: [{ schedule: 'labs' }],
  },
  {
    alert: 'VeleroBackupTooOld',
    name: 'labs never succeeded, Velero up for only 9h',
    evalTime: '29h',
    series: [
      s('velero_backup_attempt_total{schedule="labs"}', '0x1800'),
      s('process_start_time_seconds{namespace="velero"}', '72000x1800'),
    ],
    fires: [],
  },
  {
    alert: 'VeleroBackupTooOld',
    name: 'an ad-hoc backup (no schedule) is not judged',
    evalTime: '29h',
    series: [s('velero_backup_last_successful_timestamp{schedule=""}', '0x1800')],
    fires: [],
  },
  {
    alert: 'VeleroBackupFailed',
    name: 'a failed backup of platform',
    evalTime: '90m',
    series: [
      s('velero_backup_failure_total{schedule="platform"}', '0x60 1x60'),
      s('velero_backup_partial_failure_total{schedule="platform"}', '0x120'),
    ],
    fires: [{ schedule: 'platform' }],
  },
  {
    alert: 'VeleroBackupFailed',
    name: 'a partially failed backup of labs',
    evalTime: '90m',
    series: [
      s('velero_backup_failure_total{schedule="labs"}', '0x120'),
      s('velero_backup_partial_failure_total{schedule="labs"}', '0x60 1x60'),
    ],
    fires: [{ schedule: 'labs' }],
  },
  {
    alert: 'VeleroBackupFailed',
    name: 'no failure',
    evalTime: '90m',
    series: [
      s('velero_backup_failure_total{schedule="platform"}', '0x120'),
      s('velero_backup_partial_failure_total{schedule="platform"}', '0x120'),
    ],
    fires: [],
  },
  {
    alert: 'VeleroBackupStorageUnavailable',
    name: 'location unavailable for 20m',
    evalTime: '20m',
    series: [s('velero_backup_location_status_gauge{backup_location_name="default"}', '0x30')],
    fires: [{ backup_location_name: 'default' }],
  },
  {
    alert: 'VeleroBackupStorageUnavailable',
    name: 'unavailable for only 5m',
    evalTime: '5m',
    series: [s('velero_backup_location_status_gauge{backup_location_name="default"}', '0x30')],
    fires: [],
  },
  {
    alert: 'VeleroBackupStorageUnavailable',
    name: 'location available',
    evalTime: '20m',
    series: [s('velero_backup_location_status_gauge{backup_location_name="default"}', '1x30')],
    fires: [],
  },
];
