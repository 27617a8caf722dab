// A second, isolated instance of the built extension (dist/extension.js) activated with a fake
// ExtensionContext and a recording `vscode` API. It lets a suite
//   - see every disposable the extension creates and check deactivation disposes all of them,
//   - see armed timers that would outlive it,
//   - get hold of the providers it registers (and call them directly).
// `register*` calls are recorded and not forwarded (a second registration of the same command or
// view id would throw); `create*` and `on*` calls go to the real API and their results are wrapped.

import { readFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';

export interface Tracked {
  /** "window.createStatusBarItem", "commands.registerCommand qwenLocal.showLog", ... */
  what: string;
  /** Arguments of a register* call (the provider object, the command handler, ...). */
  args: unknown[];
  disposed: boolean;
  /** Created after the instance was deactivated (async work that outlived it). */
  late: boolean;
  stack: string;
}

export interface Timer {
  kind: 'timeout' | 'interval';
  ms: number;
  cleared: boolean;
  fired: boolean;
  stack: string;
}

export interface IsolatedInstance {
  context: vscode.ExtensionContext;
  tracked: Tracked[];
  timers: Timer[];
  /** What it tried to show (messages, pickers, progress): recorded, never shown, answered "dismissed". */
  prompts: string[];
  activate(): Promise<unknown>;
  /** deactivate() then dispose context.subscriptions, as VS Code does. */
  deactivate(): Promise<void>;
  /** Arguments of the register* calls named `fn` ("registerInlineCompletionItemProvider"). */
  registrations(fn: string): unknown[][];
}

const NAMESPACES = ['commands', 'window', 'workspace', 'languages', 'env', 'extensions', 'debug', 'tasks', 'scm', 'authentication', 'tests', 'notebooks', 'lm'] as const;

/**
 * An object that looks like `real` (same keys, enumerable, readable) whose values pass through
 * `map`. A Proxy over an empty target: the real API objects may be frozen, and a Proxy of a frozen
 * object must return its exact values.
 */
function lookalike(real: Record<string, unknown>, map: (prop: string, value: unknown) => unknown): Record<string, unknown> {
  return new Proxy({} as Record<string, unknown>, {
    get: (_t, prop) => (typeof prop === 'string' ? map(prop, real[prop]) : (real as Record<symbol, unknown>)[prop]),
    has: (_t, prop) => prop in real,
    ownKeys: () => Reflect.ownKeys(real),
    getOwnPropertyDescriptor: (_t, prop) =>
      prop in real ? { configurable: true, enumerable: true, get: () => (typeof prop === 'string' ? map(prop, real[prop]) : undefined) } : undefined,
  });
}

function stackHere(): string {
  return (new Error().stack ?? '').split('\n').slice(3, 9).join('\n');
}

class Memento implements vscode.Memento {
  private readonly values = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  get<T>(key: string, defaultValue?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : defaultValue;
  }
  update(key: string, value: unknown): Thenable<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
    return Promise.resolve();
  }
  setKeysForSync(): void {}
}

export function createIsolatedInstance(extensionId: string): IsolatedInstance {
  const ext = vscode.extensions.getExtension(extensionId);
  if (!ext) throw new Error(`extension ${extensionId} is not installed`);
  const main = join(ext.extensionPath, String((ext.packageJSON as { main: string }).main));
  const mainFile = main.endsWith('.js') ? main : `${main}.js`;

  const tracked: Tracked[] = [];
  const timers: Timer[] = [];
  const prompts: string[] = [];
  let deactivated = false;

  const track = (what: string, args: unknown[], value: unknown): unknown => {
    const t: Tracked = { what, args, disposed: false, late: deactivated, stack: stackHere() };
    tracked.push(t);
    if (value && typeof value === 'object' && typeof (value as vscode.Disposable).dispose === 'function') {
      const original = (value as vscode.Disposable).dispose.bind(value);
      (value as vscode.Disposable).dispose = () => {
        t.disposed = true;
        return original();
      };
      return value;
    }
    // register* calls are not forwarded: hand back a disposable that only records.
    return { dispose: () => void (t.disposed = true) };
  };

  // The real instance shares this window: the second one must not show anything a person (or an
  // e2e scenario) would see and answer. Its prompts resolve as if dismissed.
  const silent: Record<string, (...args: unknown[]) => unknown> = {
    showInformationMessage: (m) => (prompts.push(`info: ${String(m)}`), Promise.resolve(undefined)),
    showWarningMessage: (m) => (prompts.push(`warning: ${String(m)}`), Promise.resolve(undefined)),
    showErrorMessage: (m) => (prompts.push(`error: ${String(m)}`), Promise.resolve(undefined)),
    showQuickPick: () => (prompts.push('quick pick'), Promise.resolve(undefined)),
    showInputBox: () => (prompts.push('input box'), Promise.resolve(undefined)),
    withProgress: (options, task) => {
      prompts.push(`progress: ${String((options as { title?: string }).title ?? '')}`);
      const source = new vscode.CancellationTokenSource();
      return Promise.resolve((task as (p: unknown, t: vscode.CancellationToken) => unknown)({ report: () => {} }, source.token)).finally(() => source.dispose());
    },
  };

  const wrapNamespace = (name: string, real: Record<string, unknown>) =>
    lookalike(real, (prop, value) => {
      if (typeof value !== 'function') return value;
      if (name === 'window' && silent[prop]) return silent[prop];
      if (name === 'window' && prop === 'createOutputChannel') {
        // Its own channel, not a second writer on the real "Qwen Local" one.
        return (channelName: string, ...rest: unknown[]) =>
          track(`window.createOutputChannel`, [], (value as (...a: unknown[]) => unknown).apply(real, [`${channelName} (lifecycle test)`, ...rest]));
      }
      if (prop.startsWith('register')) {
        return (...args: unknown[]) => {
          const label = typeof args[0] === 'string' ? ` ${args[0]}` : '';
          return track(`${name}.${prop}${label}`, args, undefined);
        };
      }
      if (prop.startsWith('create') || /^on[A-Z]/.test(prop)) {
        return (...args: unknown[]) => {
          const result = (value as (...a: unknown[]) => unknown).apply(real, args);
          return result && typeof result === 'object' && 'dispose' in result ? track(`${name}.${prop}`, [], result) : result;
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(real);
    });

  const namespaces = new Map<string, unknown>();
  const api = lookalike(vscode as unknown as Record<string, unknown>, (prop, value) => {
    if ((NAMESPACES as readonly string[]).includes(prop) && value && typeof value === 'object') {
      if (!namespaces.has(prop)) namespaces.set(prop, wrapNamespace(prop, value as Record<string, unknown>));
      return namespaces.get(prop);
    }
    return value;
  });

  // Timers of the instance's own code (the bundle's free setTimeout/setInterval resolve to these).
  const timerFns = {
    setTimeout: (fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => {
      const t: Timer = { kind: 'timeout', ms: ms ?? 0, cleared: false, fired: false, stack: stackHere() };
      timers.push(t);
      const handle = setTimeout(
        (...a: unknown[]) => {
          t.fired = true;
          fn(...a);
        },
        ms,
        ...rest,
      );
      return Object.assign(handle, { __tracked: t });
    },
    clearTimeout: (handle?: unknown) => {
      const t = (handle as { __tracked?: Timer } | undefined)?.__tracked;
      if (t) t.cleared = true;
      clearTimeout(handle as NodeJS.Timeout);
    },
    setInterval: (fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => {
      const t: Timer = { kind: 'interval', ms: ms ?? 0, cleared: false, fired: false, stack: stackHere() };
      timers.push(t);
      return Object.assign(setInterval(fn, ms, ...rest), { __tracked: t });
    },
    clearInterval: (handle?: unknown) => {
      const t = (handle as { __tracked?: Timer } | undefined)?.__tracked;
      if (t) t.cleared = true;
      clearInterval(handle as NodeJS.Timeout);
    },
  };

  const realRequire = createRequire(mainFile);
  const module = { exports: {} as Record<string, unknown> };
  const load = new Function(
    'exports',
    'require',
    'module',
    '__filename',
    '__dirname',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    readFileSync(mainFile, 'utf8'),
  );
  load(
    module.exports,
    (id: string) => (id === 'vscode' ? api : realRequire(id)),
    module,
    mainFile,
    join(mainFile, '..'),
    timerFns.setTimeout,
    timerFns.clearTimeout,
    timerFns.setInterval,
    timerFns.clearInterval,
  );
  const exports = module.exports as { activate?: (c: vscode.ExtensionContext) => unknown; deactivate?: () => unknown };

  const storage = mkdtempSync(join(tmpdir(), 'qwen-local-isolated-'));
  const secrets = new Map<string, string>();
  const secretEvents = new vscode.EventEmitter<vscode.SecretStorageChangeEvent>();
  const context = {
    subscriptions: [] as { dispose(): unknown }[],
    extension: ext,
    extensionPath: ext.extensionPath,
    extensionUri: ext.extensionUri,
    extensionMode: vscode.ExtensionMode.Test,
    asAbsolutePath: (p: string) => join(ext.extensionPath, p),
    globalState: new Memento(),
    workspaceState: new Memento(),
    secrets: {
      get: (k: string) => Promise.resolve(secrets.get(k)),
      store: (k: string, v: string) => {
        secrets.set(k, v);
        secretEvents.fire({ key: k });
        return Promise.resolve();
      },
      delete: (k: string) => {
        secrets.delete(k);
        secretEvents.fire({ key: k });
        return Promise.resolve();
      },
      keys: () => Promise.resolve([...secrets.keys()]),
      onDidChange: secretEvents.event,
    },
    storageUri: vscode.Uri.file(join(storage, 'workspace')),
    globalStorageUri: vscode.Uri.file(join(storage, 'global')),
    logUri: vscode.Uri.file(join(storage, 'log')),
    storagePath: join(storage, 'workspace'),
    globalStoragePath: join(storage, 'global'),
    logPath: join(storage, 'log'),
    environmentVariableCollection: {
      persistent: false,
      description: undefined,
      replace: () => {},
      append: () => {},
      prepend: () => {},
      get: () => undefined,
      forEach: () => {},
      delete: () => {},
      clear: () => {},
      getScoped: () => undefined,
      [Symbol.iterator]: function* () {},
    },
  } as unknown as vscode.ExtensionContext;

  return {
    context,
    tracked,
    timers,
    prompts,
    async activate() {
      if (!exports.activate) throw new Error(`${mainFile} exports no activate()`);
      return await exports.activate(context);
    },
    async deactivate() {
      try {
        await exports.deactivate?.();
      } finally {
        for (const d of context.subscriptions.splice(0)) {
          try {
            d.dispose();
          } catch {
            /* VS Code logs and goes on; so do we */
          }
        }
        secretEvents.dispose();
        deactivated = true;
      }
    },
    registrations(fn: string) {
      return tracked.filter((t) => t.what.split(' ')[0].endsWith(`.${fn}`)).map((t) => t.args);
    },
  };
}
