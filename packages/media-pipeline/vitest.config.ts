import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@media-server/source'] },
  ssr: { resolve: { conditions: ['@media-server/source'] } },
  test: {
    name: 'media-pipeline',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Real ffmpeg (libx264, libaom on the system build) on a 2-core machine shared with other builds.
    testTimeout: 30_000,
  },
});
