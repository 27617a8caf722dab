// What the completion tests ask the engine: settings, and a request for code with `|` at the cursor.

import type { CompletionRequest, CompletionSettings } from '../../../src/completion/engine';
import { DEFAULT_EXCLUDE } from '../../../src/settings';

/** Completion settings as a user has them by default, with `overrides`. */
export function completionSettings(overrides: Partial<CompletionSettings> = {}): CompletionSettings {
  return { enabled: true, debounceMs: 100, exclude: DEFAULT_EXCLUDE, maxLines: 'auto', contextFromOtherFiles: false, keepAlive: '30m', ...overrides };
}

/** A request for `code` with `|` at the cursor, in a TypeScript file indented by two spaces. */
export function requestAt(code: string, fields: Pick<CompletionRequest, 'model' | 'settings'> & Partial<CompletionRequest>): CompletionRequest {
  const offset = code.indexOf('|');
  return {
    path: '/repo/src/math.ts',
    languageId: 'typescript',
    indentation: { insertSpaces: true, tabSize: 2 },
    signal: new AbortController().signal,
    ...fields,
    text: code.slice(0, offset) + code.slice(offset + 1),
    offset,
  };
}
