import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'deploy',
    include: ['*.test.ts'],
    // Building the two deploy folders and running a real transcode take a while on a loaded machine.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
