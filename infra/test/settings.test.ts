import { describe, expect, it } from 'vitest';
import { InfraSettingsError, resolveSettings, workerStopTimeoutSeconds } from '../src/settings.ts';

describe('deployment settings', () => {
  it('defaults to a worker that scales to zero and stops within Fargate limits', () => {
    const settings = resolveSettings();
    expect(settings.workerMinTasks).toBe(0);
    expect(settings.ffmpegSandbox).toBe('auto');
    expect(workerStopTimeoutSeconds(settings) * 1000).toBeGreaterThan(settings.workerShutdownGraceMs);
    expect(workerStopTimeoutSeconds(settings)).toBeLessThanOrEqual(120);
  });

  it('refuses a grace period Fargate cannot honour and every other impossible value, all at once', () => {
    let error: unknown;
    try {
      resolveSettings({
        workerShutdownGraceMs: 200_000,
        workerMinTasks: 3,
        workerMaxTasks: 2,
        corsOrigins: ['app.example.com'],
        visibilityTimeoutSeconds: 1,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InfraSettingsError);
    const problems = (error as InfraSettingsError).problems.join('\n');
    expect((error as InfraSettingsError).code).toBe('INFRA_SETTINGS_INVALID');
    expect(problems).toMatch(/workerShutdownGraceMs/);
    expect(problems).toMatch(/workerMaxTasks/);
    expect(problems).toMatch(/corsOrigins has "app.example.com"/);
    expect(problems).toMatch(/visibilityTimeoutSeconds/);
  });
});
