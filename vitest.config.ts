import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure logic, fakes allowed) and `integration` (the real lab: dockerd, sshd,
// S3). Integration tests are named *.int.test.ts and fail — never skip — when the lab is down.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['shared/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}'],
          exclude: ['**/*.int.test.ts', 'node_modules/**'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['electron/**/*.int.test.ts'],
          globalSetup: ['electron/core/testing/lab-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
