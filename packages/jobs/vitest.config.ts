import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@media-server/source'] },
  ssr: { resolve: { conditions: ['@media-server/source'] } },
  test: {
    name: 'jobs',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
