import { PRESET_NAMES, type PresetName } from '@media-server/client';
import { CliError } from './errors.ts';

/** `--presets mp4,hls` → the preset names, refusing unknown ones with the list of known ones. */
export function parsePresets(value: string | undefined): PresetName[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(PRESET_NAMES as readonly string[]).includes(name)) {
      throw new CliError('USAGE', `unknown preset "${name}" (presets: ${PRESET_NAMES.join(', ')})`);
    }
  }
  if (names.length === 0)
    throw new CliError('USAGE', `--presets needs at least one of ${PRESET_NAMES.join(', ')}`);
  return [...new Set(names)] as PresetName[];
}
