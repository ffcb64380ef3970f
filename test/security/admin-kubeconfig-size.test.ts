// Attack: the host at the first control plane's address (trusted for nothing it sends, not even its amount) answers
// `cat /etc/kubernetes/admin.conf` with a huge mapping. adminKubeconfig parsed whatever came (up to the 64 MiB a
// command may send) with yaml's duplicate-key check, which compares each key with every earlier one: 30,000 keys
// (290 KB) took 8 s, 64 MiB would keep `labctl up` busy for hours. It must refuse such a file at once.
import { describe, expect, it } from 'vitest';
import { ADMIN_CONF_MAX, adminKubeconfig } from '../../installer/cluster/handover.ts';

describe('attack: a huge admin.conf from the first control plane', () => {
  it('30,000 keys: refused in well under a second, naming the size', () => {
    const text = `apiVersion: v1\nkind: Config\n${Array.from({ length: 30_000 }, (_, i) => `k${i}: 1\n`).join('')}`;
    const t0 = Date.now();
    expect(() => adminKubeconfig(text, 'https://k8s-api.lab.example.edu:6443', 'cp1')).toThrow(
      `more than ${ADMIN_CONF_MAX}`,
    );
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('a kubeadm-sized admin.conf is still rebuilt', () => {
    const b64 = 'QUJD'.repeat(400);
    const text = [
      'apiVersion: v1',
      'clusters:',
      `- cluster: {certificate-authority-data: ${b64}, server: 'https://10.0.0.1:6443'}`,
      '  name: kubernetes',
      'contexts:',
      '- context: {cluster: kubernetes, user: kubernetes-admin}',
      '  name: kubernetes-admin@kubernetes',
      'current-context: kubernetes-admin@kubernetes',
      'kind: Config',
      'users:',
      '- name: kubernetes-admin',
      `  user: {client-certificate-data: ${b64}, client-key-data: ${b64}}`,
      '',
    ].join('\n');
    expect(adminKubeconfig(text, 'https://k8s-api.lab.example.edu:6443', 'cp1')).toContain(
      'server: https://k8s-api.lab.example.edu:6443',
    );
  });
});
