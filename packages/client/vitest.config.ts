import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@media-server/source'] },
  ssr: { resolve: { conditions: ['@media-server/source'] } },
  test: {
    name: 'client',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
