import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@media-server/source'] },
  ssr: { resolve: { conditions: ['@media-server/source'] } },
  test: {
    name: 'cli',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
