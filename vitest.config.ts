import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure code, fakes, local processes) and `integration` (real servers:
// the sandbox's kube-apiserver + kwok and moto, network namespaces). The integration project's
// global setup starts the sandbox through the same code as `gameday sandbox up` and fails the run
// loudly, with the reason, when a backend cannot start.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // unit first, then integration: the projects differ in maxWorkers, so each needs its own group
          sequence: { groupOrder: 0 },
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // the machine has 2 cores and the control plane uses them: keep integration files few at once
          maxWorkers: 2,
          fileParallelism: true,
        },
      },
    ],
  },
});
