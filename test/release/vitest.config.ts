import { defineProject } from 'vitest/config';

export default defineProject({
  // The stack the CLI test talks to runs from source; what is tested is what npm installs.
  resolve: { conditions: ['@media-server/source'] },
  ssr: { resolve: { conditions: ['@media-server/source'] } },
  test: {
    name: 'release',
    include: ['*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
