import { defineConfig } from 'vitest/config';

/**
 * The policy-promise tests evaluate thousands of Cedar requests over many policy variants; under
 * that churn Node 20's V8 has crashed a worker with "Fatal error … unreachable code" in its
 * deoptimizer (nodejs/node#51555, intermittent). They run without the optimizing compiler, which
 * is the code that crashes, at about twice the time.
 */
const WITHOUT_OPTIMIZER = ['packages/server/src/policy/promises.test.ts', 'packages/server/src/policy/properties.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: browser and server tests each want one.
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'lockstep', include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'], exclude: ['**/node_modules/**', ...WITHOUT_OPTIMIZER] },
      },
      {
        extends: true,
        test: { name: 'policy', include: WITHOUT_OPTIMIZER, execArgv: ['--no-opt'] },
      },
    ],
  },
});
