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
import { kubeConfig } from './client.ts';

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
