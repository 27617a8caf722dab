// Where code is sent is decided by the user, never by a workspace: `qwenLocal.ollamaHost` is
// machine-scoped in the manifest, and src/config.ts reads only its user-level (global) value even
// when VS Code would hand it a workspace value. config.ts imports `vscode`, so this test loads it
// against a small stand-in for the configuration API (the real editor is tested in
// test/integration/suites/settings.test.ts).

import assert from 'node:assert/strict';
import Module, { createRequire } from 'node:module';
import { DEFAULT_EXCLUDE } from '../../../src/settings';
import { excludeMatcher } from '../../../src/workspace/exclude';
import { manifestSettings } from '../support/manifest';

const EVIL = 'http://collector.example.net:11434';
const MINE = 'http://127.0.0.1:11500';

interface Inspected {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** A `vscode` module with just what config.ts touches; `values` is what each scope holds. */
function fakeVscode(values: Record<string, Inspected>) {
  const effective = (key: string) => {
    const v = values[key];
    return v?.workspaceFolderValue ?? v?.workspaceValue ?? v?.globalValue ?? v?.defaultValue;
  };
  class EventEmitter<T> {
    private listeners: ((e: T) => void)[] = [];
    event = (listener: (e: T) => void) => {
      this.listeners.push(listener);
      return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
    };
    fire(e: T) {
      for (const l of this.listeners) l(e);
    }
    dispose() {
      this.listeners = [];
    }
  }
  return {
    EventEmitter,
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    workspace: {
      onDidChangeConfiguration: () => ({ dispose() {} }),
      getConfiguration: (section: string) => {
        assert.equal(section, 'qwenLocal');
        return {
          // What VS Code would return if the scope did not stop workspace values: the merged value.
          get: (key: string) => effective(key),
          inspect: (key: string) => ({ key: `qwenLocal.${key}`, ...values[key] }),
          update: async () => {},
        };
      },
    },
  };
}

type ConfigModule = typeof import('../../../src/config');

function loadConfig(vscode: unknown): ConfigModule {
  const moduleInternals = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const original = moduleInternals._load;
  const require = createRequire(__filename);
  const file = require.resolve('../../../src/config');
  delete require.cache[file];
  moduleInternals._load = function (request, parent, isMain) {
    return request === 'vscode' ? vscode : original.call(this, request, parent, isMain);
  };
  try {
    return require(file) as ConfigModule;
  } finally {
    moduleInternals._load = original;
    delete require.cache[file];
  }
}

describe('security: the server address cannot come from a workspace', () => {
  it('the manifest scopes qwenLocal.ollamaHost to the machine', () => {
    assert.equal(manifestSettings()['qwenLocal.ollamaHost']?.scope, 'machine');
  });

  it('Config ignores a workspace or folder value of ollamaHost, even if VS Code passed it on', () => {
    const warnings: string[] = [];
    const { Config } = loadConfig(
      fakeVscode({
        ollamaHost: { defaultValue: '', workspaceValue: EVIL, workspaceFolderValue: EVIL },
        'completion.debounceMs': { defaultValue: 180, workspaceValue: 90 },
      }),
    );
    const config = new Config((m) => warnings.push(m));
    assert.equal(config.settings.ollamaHost, '', 'falls back to OLLAMA_HOST / the default, not the workspace value');
    assert.equal(config.settings.completion.debounceMs, 90, 'other settings do follow the workspace');
    assert.deepEqual(warnings, []);
    config.dispose();
  });

  it('Config uses the user-level value when there is one', () => {
    const { Config } = loadConfig(fakeVscode({ ollamaHost: { defaultValue: '', globalValue: MINE, workspaceValue: EVIL } }));
    const config = new Config(() => {});
    assert.equal(config.settings.ollamaHost, MINE);
    config.dispose();
  });
});

describe('security: a workspace can add exclusions but never remove them', () => {
  it('keeps the user list and adds the workspace and folder lists to it', () => {
    const { Config } = loadConfig(
      fakeVscode({
        'completion.exclude': { defaultValue: ['**/.env'], workspaceValue: [], workspaceFolderValue: ['**/fixtures/secret/**'] },
      }),
    );
    const config = new Config(() => {});
    assert.deepEqual(config.settings.completion.exclude, ['**/.env', '**/fixtures/secret/**'], 'an empty workspace list does not undo the defaults');
    config.dispose();
  });

  it('lets the user (not the workspace) shorten the list', () => {
    const { Config } = loadConfig(fakeVscode({ 'completion.exclude': { defaultValue: ['**/.env', '**/*.pem'], globalValue: ['**/*.pem'] } }));
    const config = new Config(() => {});
    assert.deepEqual(config.settings.completion.exclude, ['**/*.pem']);
    config.dispose();
  });
});

describe('security: a workspace cannot shorten the exclude list by breaking it, nor freeze the host with a glob', () => {
  /** The review's user list: 17 patterns, some of them the user's own. */
  const USER = [...DEFAULT_EXCLUDE, '**/*.tfstate', '**/prod-secrets/**', '**/vault.yml'];

  function settingsWith(workspaceValue: unknown, workspaceFolderValue?: unknown) {
    const warnings: string[] = [];
    const { Config } = loadConfig(fakeVscode({ 'completion.exclude': { defaultValue: DEFAULT_EXCLUDE, globalValue: USER, workspaceValue, workspaceFolderValue } }));
    const config = new Config((m) => warnings.push(m));
    const exclude = config.settings.completion.exclude;
    config.dispose();
    return { exclude, warnings };
  }

  it('a [null] in the workspace list is dropped alone: the user list stays whole', () => {
    const { exclude, warnings } = settingsWith([null]);
    assert.equal(USER.length, 17);
    assert.deepEqual(exclude, USER, 'the user list, not the 14 defaults');
    assert.ok(warnings.some((w) => w.includes('null')), warnings.join('\n'));
  });

  it('invalid workspace entries are dropped one by one; the valid ones are added', () => {
    const { exclude, warnings } = settingsWith(['**/fixtures/secret/**', 42, null, '', { glob: '**' }], 'not a list');
    assert.deepEqual(exclude, [...USER, '**/fixtures/secret/**']);
    assert.equal(warnings.length, 5, warnings.join('\n'));
  });

  it('a glob that backtracks is refused with a warning, and checking a path with the list is instant', () => {
    const pathological = '**/' + '*a'.repeat(10) + '*b';
    const { exclude, warnings } = settingsWith([pathological, '**/*secret*/**', '+(a|aa)+(a|aa)b', 'x'.repeat(300)]);
    assert.deepEqual(exclude, [...USER, '**/*secret*/**']);
    assert.equal(warnings.length, 3, warnings.join('\n'));
    assert.ok(warnings.some((w) => w.includes('more than 2 * in one path segment')), warnings.join('\n'));
    // The check the review timed at 3.4 s (a 36-character folder name) now runs over safe globs only.
    assert.equal(excludeMatcher(exclude)(`/home/dev/${'a'.repeat(36)}/main.ts`), false);
  });
});
