import { styleText } from 'node:util';

/** How the command writes: to a terminal (colours, bars) or to a pipe/file/`--json` (plain). */
export interface Output {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Machine-readable results only. */
  json: boolean;
  /** Bars and live updates: stdout is a terminal and not `--json`. */
  interactive: boolean;
  /** Colours: interactive and `NO_COLOR` unset. */
  color: boolean;
}

export function createOutput(
  streams: { stdout: Output['stdout']; stderr: Output['stderr'] },
  env: Record<string, string | undefined>,
  json: boolean,
): Output {
  const interactive = !json && streams.stdout.isTTY === true && env.TERM !== 'dumb';
  return { ...streams, json, interactive, color: interactive && (env.NO_COLOR ?? '') === '' };
}

export function paint(output: Output, format: Parameters<typeof styleText>[0], text: string): string {
  return output.color ? styleText(format, text, { validateStream: false }) : text;
}

export function line(output: Output, text = ''): void {
  output.stdout.write(`${text}\n`);
}

export function printJson(output: Output, value: unknown): void {
  output.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 || value >= 100 ? 0 : 1)} ${units[unit]}`;
}

export function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A text bar of `width` cells for `fraction` (0..1). */
export function bar(fraction: number, width = 24): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}
