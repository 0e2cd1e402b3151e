import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@media-server/source'] },
  ssr: { resolve: { conditions: ['@media-server/source'] } },
  test: {
    name: 'worker',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Integration tests start worker processes and run real ffmpeg on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
