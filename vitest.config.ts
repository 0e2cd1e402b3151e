import { defineConfig } from 'vitest/config';

// One Vitest run from the root covers every package and app (each is a project with its own config).
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'infra', 'test/*'],
  },
});
