import { defineProject } from 'vitest/config';

// End-to-end: the client and the `media-server` command against the running stack (local-aws, api, worker).
export default defineProject({
  resolve: { conditions: ['@media-server/source'] },
  ssr: { resolve: { conditions: ['@media-server/source'] } },
  test: {
    name: 'e2e',
    include: ['*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
