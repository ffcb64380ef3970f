import { defineConfig } from 'vitest/config';

// Suites that start real daemons (sshd racks, FRR, Alertmanager, an OCI registry, kube-apiserver) or
// network namespaces. They run in their own project, after the fast one, so `npm test` reports the
// fast tests first; `npx vitest run --project fast` runs only those.
const SLOW = [
  'test/cluster/preflight.test.ts',
  'test/cluster/up.test.ts',
  'test/network/bgp.test.ts',
  'test/monitoring/alertmanager-e2e*.test.ts',
  'test/images/build-push*.test.ts',
  'test/cluster/bootstrap.test.ts',
  'test/cluster/argocd-wait.test.ts',
  'test/security/hosts-keys.test.ts',
  'test/security/shell-injection.test.ts',
  'test/package/**/*.test.ts',
  'test/kube/**/*.test.ts',
  'test/journey/readme-journey.test.ts',
  'test/journey/runbook-commands.test.ts',
  'test/backup/{backup-ssh,backup-kube,disaster-drill}.test.ts',
];

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/kube/global-setup.ts'],
    // Real daemons start in some tests, and two busy cores make everything several times slower than
    // on a quiet machine: generous timeouts (they catch hangs, not slowness), two workers for two cores.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'fast', include: ['test/**/*.test.ts'], exclude: SLOW, sequence: { groupOrder: 0 } },
      },
      { extends: true, test: { name: 'slow', include: SLOW, sequence: { groupOrder: 1 } } },
    ],
  },
});
