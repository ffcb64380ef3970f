import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/kube/global-setup.ts'],
    // Real daemons (sshd, FRR, Alertmanager) start in some tests: generous timeouts, two workers for two cores.
    testTimeout: 60_000,
    hookTimeout: 300_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
  },
});
