import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@media-server/source'] },
  ssr: { resolve: { conditions: ['@media-server/source'] } },
  test: {
    name: 'infra',
    include: ['test/**/*.test.ts'],
    // Synthesising a stack (with cdk-nag) takes seconds, more on a loaded machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
