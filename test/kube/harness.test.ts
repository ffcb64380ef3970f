// The harness is the Kubernetes of gitops/versions.yaml: test/kube/go.mod pins k8s.io/kubernetes and every
// staging module to it (Go needs the version in go.mod too), and the running server and the kubeadm
// built beside it report it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { pinnedVersions } from '../../installer/core/versions.ts';
import { ROOT } from '../helpers.ts';
import { run } from '../labs/helpers.ts';
import { kubeConfig, kubectlOk, waitEstablished } from './client.ts';

const pinned = pinnedVersions().kubernetes.default;
const staging = pinned.replace(/^v1\./, 'v0.');

describe('kube-apiserver harness version (gitops/versions.yaml kubernetes.default)', () => {
  it('test/kube/go.mod pins k8s.io/kubernetes and every staging module to it', () => {
    const mod = readFileSync(join(ROOT, 'test/kube/go.mod'), 'utf8');
    expect(mod).toMatch(new RegExp(`^\\s*k8s\\.io/kubernetes ${pinned.replace(/\./g, '\\.')}$`, 'm'));
    const replaces = [...mod.matchAll(/^\s*(k8s\.io\/\S+) => (k8s\.io\/\S+) (\S+)$/gm)];
    expect(replaces.length).toBeGreaterThan(20);
    for (const [, from, to, v] of replaces) expect(`${from} => ${to} ${v}`).toBe(`${from} => ${from} ${staging}`);
  });

  it('the running server and kubeadm report it', async () => {
    const v = await kubeConfig().makeApiClient(k8s.VersionApi).getCode();
    expect(v.gitVersion).toBe(pinned);
    const r = await run(join(ROOT, '.tools/bin/kubeadm'), ['version', '-o', 'short']);
    expect(r.stdout.trim()).toBe(pinned);
  });
});

describe('the slow project isolates its files (vitest.config.ts)', () => {
  it('this file is the only one its process has loaded (daemon suites change process-wide state)', () => {
    expect(process.env.LABCTL_TEST_ISOLATED).toBe('1'); // test/setup.ts checks every slow file with it
    expect((globalThis as { labctlTestFiles?: number }).labctlTestFiles).toBe(1);
  });
});

describe('waitEstablished (the CRD wait every kube suite uses)', () => {
  it('waits for a CRD created a moment before, and names a CRD that never comes when its bound runs out', async () => {
    const name = `waits${Date.now().toString(36)}.harness.test`;
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name },
      spec: {
        group: 'harness.test',
        scope: 'Namespaced',
        names: { plural: name.split('.')[0], singular: name.split('.')[0], kind: 'Wait' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    };
    await kubectlOk(['create', '-f', '-'], { stdin: JSON.stringify(crd) });
    try {
      await waitEstablished([name]);
      const conds = JSON.parse(await kubectlOk(['get', `crd/${name}`, '-o', 'json'])).status.conditions;
      expect(conds).toContainEqual(expect.objectContaining({ type: 'Established', status: 'True' }));
      await expect(waitEstablished([name, 'absent.harness.test'], { timeoutMs: 1500 })).rejects.toThrow(
        /not Established after 1.5 s: absent\.harness\.test/,
      );
    } finally {
      await kubectlOk(['delete', `crd/${name}`, '--wait=false']);
    }
  });
});
