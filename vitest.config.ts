import { defineConfig } from 'vitest/config';

// Three projects, run in this order:
// - `unit`: pure and in-process code on fakes and a fake clock (test/unit) — seconds;
// - `process`: the built CLI spawned, tmux, SIGKILLed writers, local servers in real time (test/process);
// - `integration`: real servers — the sandbox's kube-apiserver, real nodes and kwok, moto, network
//   namespaces (test/integration). Its global setup starts the sandbox through the same code as
//   `gameday sandbox up` and fails the run loudly, with the reason, when a backend cannot start.
// Helpers shared by tests live in test/helpers (test/helpers/sandbox for the integration ones).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // unit, then process, then integration: the projects differ in maxWorkers, so each needs its own group
          sequence: { groupOrder: 0 },
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'process',
          sequence: { groupOrder: 1 },
          include: ['test/process/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 2 },
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
