import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@media-server/source'] },
  ssr: { resolve: { conditions: ['@media-server/source'] } },
  test: {
    name: 'semaphore',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Type-level tests (*.test-d.ts, expectTypeOf) run with the others: tsc checks them, nothing executes.
    typecheck: {
      enabled: true,
      include: ['src/**/*.test-d.ts', 'test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
    // Child processes, so that --expose-gc applies: the memory test measures the heap after a full GC.
    pool: 'forks',
    execArgv: ['--expose-gc'],
  },
});
