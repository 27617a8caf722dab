// The manifest's settings, whichever way package.json groups them (one object, or an array of
// titled groups as the settings editor shows them).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ManifestSetting {
  default?: unknown;
  scope?: string;
  description?: string;
  markdownDescription?: string;
  order?: number;
}

interface Group {
  id?: string;
  title?: string;
  order?: number;
  properties: Record<string, ManifestSetting>;
}

export const manifest = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { contributes: { configuration: Group | Group[] } };

export function settingGroups(): Group[] {
  const c = manifest.contributes.configuration;
  return Array.isArray(c) ? c : [c];
}

/** Every setting of the manifest by its full key. */
export function manifestSettings(): Record<string, ManifestSetting> {
  return Object.assign({}, ...settingGroups().map((g) => g.properties)) as Record<string, ManifestSetting>;
}
