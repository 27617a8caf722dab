// The extension's settings as one typed object. Pure: reads through a getter so tests need no VS Code.
// Unparseable values fall back to the default with a warning, never a crash.

import type { ServerKind } from './backend/probe';
import type { LogLevel } from './log';
import { unsafeGlobReason } from './workspace/exclude';

export type MaxLines = 'auto' | 'line' | 'block';
export type CommitStyle = 'plain' | 'conventional';

export interface Settings {
  /** The raw host setting (user/machine level only); resolved with OLLAMA_HOST in backend/host.ts. */
  ollamaHost: string;
  /** The model server (user/machine level only). An empty url falls back to ollamaHost. */
  server: { kind: ServerKind; url: string; caFile: string };
  completion: {
    enabled: boolean;
    model: string;
    debounceMs: number;
    disabledLanguages: string[];
    exclude: string[];
    maxLines: MaxLines;
    contextFromOtherFiles: boolean;
    allowLargeModels: boolean;
  };
  chat: {
    model: string;
    systemPrompt: string;
    temperature: number;
    /** Adds @codebase to questions that name no file. */
    codebaseAuto: boolean;
  };
  /** The workspace index behind @codebase and the search tool. */
  codebase: { embeddingModel: string; maxFiles: number };
  commitMessage: { style: CommitStyle };
  keepAlive: string;
  logLevel: LogLevel;
}

export const SECTION = 'qwenLocal';

export const DEFAULT_EXCLUDE = [
  '**/.env',
  '**/.env.*',
  '**/*.pem',
  '**/*.key',
  '**/id_rsa*',
  '**/id_ed25519*',
  '**/.npmrc',
  '**/.netrc',
  '**/.pypirc',
  '**/credentials',
  '**/credentials.*',
  '**/.aws/**',
  '**/.ssh/**',
  '**/secrets.*',
];

export const DEFAULTS: Settings = {
  ollamaHost: '',
  server: { kind: 'auto', url: '', caFile: '' },
  completion: {
    enabled: true,
    model: 'auto',
    debounceMs: 180,
    disabledLanguages: ['plaintext', 'markdown', 'scminput'],
    exclude: DEFAULT_EXCLUDE,
    maxLines: 'auto',
    contextFromOtherFiles: true,
    allowLargeModels: false,
  },
  chat: { model: 'auto', systemPrompt: '', temperature: 0.2, codebaseAuto: false },
  codebase: { embeddingModel: 'auto', maxFiles: 20_000 },
  commitMessage: { style: 'plain' },
  keepAlive: '30m',
  logLevel: 'info',
};

/** Reads one key (relative to the section, e.g. "completion.model"); undefined when unset. */
export type SettingGetter = (key: string) => unknown;

type Check<T> = (value: unknown) => value is T;

const isString: Check<string> = (v): v is string => typeof v === 'string';
const isBoolean: Check<boolean> = (v): v is boolean => typeof v === 'boolean';
const isStringArray: Check<string[]> = (v): v is string[] => Array.isArray(v) && v.every(isString);
const numberIn =
  (min: number, max: number): Check<number> =>
  (v): v is number =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
const oneOf =
  <T extends string>(...values: T[]): Check<T> =>
  (v): v is T =>
    typeof v === 'string' && (values as string[]).includes(v);
const modelName: Check<string> = (v): v is string => typeof v === 'string' && v.trim().length > 0;
// What Ollama accepts for keep_alive (api/types.go Duration.UnmarshalJSON): a number of seconds
// ("300", "1.5", "-1") or a Go duration ("30m", "1h30m", "-5m", ".5h"); any negative value means
// "keep loaded for ever". ollama.ts sends the number forms as JSON numbers.
const GO_DURATION = /^[-+]?((\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const SECONDS = /^[-+]?(\d+\.?\d*|\.\d+)$/;
const keepAlive: Check<string> = (v): v is string => typeof v === 'string' && (SECONDS.test(v.trim()) || GO_DURATION.test(v.trim()));

export function readSettings(get: SettingGetter, warn: (message: string) => void = () => {}): Settings {
  function read<T>(key: string, check: Check<T>, fallback: T): T {
    const value = get(key);
    if (value === undefined || value === null) return fallback;
    if (check(value)) return value;
    warn(`Setting ${SECTION}.${key} has an invalid value ${JSON.stringify(value)}; using ${JSON.stringify(fallback)}.`);
    return fallback;
  }
  const d = DEFAULTS;
  return {
    ollamaHost: read('ollamaHost', isString, d.ollamaHost).trim(),
    server: {
      kind: read('server.kind', oneOf<ServerKind>('auto', 'ollama', 'openai'), d.server.kind),
      url: read('server.url', isString, d.server.url).trim(),
      caFile: read('server.caFile', isString, d.server.caFile).trim(),
    },
    completion: {
      enabled: read('completion.enabled', isBoolean, d.completion.enabled),
      model: read('completion.model', modelName, d.completion.model).trim(),
      debounceMs: read('completion.debounceMs', numberIn(0, 2000), d.completion.debounceMs),
      disabledLanguages: read('completion.disabledLanguages', isStringArray, d.completion.disabledLanguages),
      exclude: read('completion.exclude', isStringArray, d.completion.exclude),
      maxLines: read('completion.maxLines', oneOf<MaxLines>('auto', 'line', 'block'), d.completion.maxLines),
      contextFromOtherFiles: read('completion.contextFromOtherFiles', isBoolean, d.completion.contextFromOtherFiles),
      allowLargeModels: read('completion.allowLargeModels', isBoolean, d.completion.allowLargeModels),
    },
    chat: {
      model: read('chat.model', modelName, d.chat.model).trim(),
      systemPrompt: read('chat.systemPrompt', isString, d.chat.systemPrompt),
      temperature: read('chat.temperature', numberIn(0, 2), d.chat.temperature),
      codebaseAuto: read('chat.codebaseAuto', isBoolean, d.chat.codebaseAuto),
    },
    codebase: {
      embeddingModel: read('codebase.embeddingModel', modelName, d.codebase.embeddingModel).trim(),
      maxFiles: read('codebase.maxFiles', numberIn(1, 1_000_000), d.codebase.maxFiles),
    },
    commitMessage: { style: read('commitMessage.style', oneOf<CommitStyle>('plain', 'conventional'), d.commitMessage.style) },
    keepAlive: read('keepAlive', keepAlive, d.keepAlive).trim(),
    logLevel: read('logLevel', oneOf<LogLevel>('error', 'warn', 'info', 'debug'), d.logLevel),
  };
}

/** What VS Code's `inspect()` tells of one setting, per scope. */
export interface InspectedSetting {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/**
 * `completion.exclude` as it applies: the user's list (or the default) plus whatever the workspace
 * and its folders add. A workspace can add, never remove: a cloned repository's settings must not
 * put `.env` files or keys back into prompts. So each workspace entry stands alone (an invalid one
 * is dropped with a warning, never taking the whole list with it), and a glob that could make
 * matching backtrack for seconds is refused. The user's own entries are trusted.
 */
export function mergeExclude(inspected: InspectedSetting | undefined, warn: (message: string) => void = () => {}): string[] {
  const key = `${SECTION}.completion.exclude`;
  const defaults = isStringArray(inspected?.defaultValue) ? inspected.defaultValue : DEFAULT_EXCLUDE;
  let base = defaults;
  const user = inspected?.globalValue;
  if (Array.isArray(user)) {
    base = user.filter((entry): entry is string => {
      const usable = typeof entry === 'string' && entry.trim() !== '';
      if (!usable) warn(`Setting ${key}: ignoring the entry ${JSON.stringify(entry)} (not a glob).`);
      return usable;
    });
  } else if (user !== undefined && user !== null) {
    warn(`Setting ${key} has an invalid value ${JSON.stringify(user)}; using the default list.`);
  }
  const added: string[] = [];
  for (const [scope, value] of [
    ['workspace', inspected?.workspaceValue],
    ['folder', inspected?.workspaceFolderValue],
  ] as const) {
    if (value === undefined || value === null) continue;
    if (!Array.isArray(value)) {
      warn(`Setting ${key} in the ${scope} settings is not a list; ignored (the user's list still applies).`);
      continue;
    }
    for (const entry of value as unknown[]) {
      const reason = typeof entry === 'string' ? unsafeGlobReason(entry) : 'it is not a glob';
      if (reason === undefined) added.push(entry as string);
      else warn(`Setting ${key} in the ${scope} settings: ignoring ${JSON.stringify(entry)?.slice(0, 80)} because ${reason}.`);
    }
  }
  return [...new Set([...base, ...added])];
}
