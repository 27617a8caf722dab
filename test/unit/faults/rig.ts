// The extension's core as activate() builds it (createCore, src/core.ts), without VS Code, against
// the Ollama simulator: Connection (backend + outcome reporting + health) → StatusModel, the
// completion engine, the shared server lanes, the warm-up, and the chat (session + controller) with
// the glue that registerChat() uses. Shared by the fault matrix, the security tests and the soak script.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Backend } from '../../../src/backend/backend';
import type { Connection } from '../../../src/backend/connection';
import type { BackendError } from '../../../src/backend/errors';
import type { ServerLanes } from '../../../src/backend/lanes';
import { OllamaBackend, type Timeouts } from '../../../src/backend/ollama';
import { ChatController } from '../../../src/chat/controller';
import { HistoryStore } from '../../../src/chat/history';
import { ChatSession } from '../../../src/chat/session';
import { estimateTokens } from '../../../src/completion/budget';
import type { EditorContextSource } from '../../../src/completion/context';
import type { CompletionEngine, CompletionItem, CompletionRequest, RequestEndEvent } from '../../../src/completion/engine';
import { createCore, type Core } from '../../../src/core';
import { silentLogger, type Logger } from '../../../src/log';
import { DEFAULTS } from '../../../src/settings';
import type { StatusModel } from '../../../src/ui/statusModel';
import { OllamaSimulator } from '../../sim/simulator';
import { FakeIde, PlainSettings } from '../support/editor';

/**
 * The fault matrix runs against an old Ollama (0.6.5: automatic parallel slots, no context_length
 * in /api/ps, errors as a line after 200) and a current one (test/sim/profiles.ts).
 */
export const FAULT_PROFILES = ['old', 'current'] as const;
export type FaultProfile = (typeof FAULT_PROFILES)[number];

export const COMPLETION_MODEL = 'qwen2.5-coder:1.5b-base';
export const CHAT_MODEL = 'qwen2.5-coder:1.5b-instruct';

/** The status bar's idle, connected text (statusView.ts): no spinner, no warning. */
export const READY_TEXT = '$(sparkle) Qwen';
export const SPINNER = '$(loading~spin)';

export interface RigOptions {
  sim: OllamaSimulator;
  /** Client time limits (the defaults are minutes long; fault tests shorten them). */
  timeouts?: Partial<Timeouts>;
  apiKey?: string;
  log?: Logger;
  /** Open editors, recent edits and file reads for context from other files. */
  context?: EditorContextSource;
  /** Completion settings on top of the defaults (debounce 0, context from other files off unless a source is given). */
  completion?: Partial<typeof DEFAULTS.completion>;
  /** Warm the completion model up when the status recovers, as activate() does. */
  warmOnRecovery?: boolean;
  /** Real timers for the health monitor's backoff (default: recorded, never run). */
  realHealthTimers?: boolean;
  /** Wraps every backend the connection builds (instrumentation). */
  wrapBackend?(inner: Backend): Backend;
  chatNumCtx?: number;
  /** How long completions may wait for a first token before the model counts as cold (core default 1.5 s). */
  slowFirstByteMs?: number;
  /** After how long idle the core asks /api/ps whether the completion model is still loaded (core default 20 s). */
  residencyCheckAfterMs?: number;
}

/** What the rig remembers of a long run (the soak): the latest entries only. */
const KEEP = 1_000;

function keep<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > KEEP * 2) list.splice(0, list.length - KEEP);
}

/** `|` marks the cursor. */
export function cursorAt(code: string): { text: string; offset: number } {
  const offset = code.indexOf('|');
  assert.ok(offset >= 0, 'the code needs a | for the cursor');
  return { text: code.slice(0, offset) + code.slice(offset + 1), offset };
}

export class Rig {
  readonly core: Core;
  readonly status: StatusModel;
  readonly connection: Connection;
  readonly lanes: ServerLanes;
  readonly engine: CompletionEngine;
  readonly config: PlainSettings;
  /** Notifications the status asked for, in order (the StatusBar shows one per entry). */
  readonly notified: BackendError[] = [];
  /** Every rendered status text, in order (the latest 1,000 to 2,000 in a long run). */
  readonly views: string[] = [];
  /** Every finished completion request (the latest 1,000 to 2,000 in a long run). */
  readonly ended: RequestEndEvent[] = [];
  readonly healthTimers: number[] = [];
  /** What the core asked to tell a person besides incidents (bad host, key in clear, CPU share). */
  readonly told: string[] = [];
  readonly ide = new FakeIde();
  /** Warm-ups that began loading the model (the status showed "loading"). */
  warmUps = 0;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private chatParts: { session: ChatSession; controller: ChatController; store: HistoryStore; dir: string } | undefined;
  private readonly log: Logger;

  constructor(private readonly options: RigOptions) {
    const { sim } = options;
    this.log = options.log ?? silentLogger;
    this.config = new PlainSettings({
      ...DEFAULTS,
      ollamaHost: sim.url,
      completion: { ...DEFAULTS.completion, model: COMPLETION_MODEL, ...options.completion },
      chat: { ...DEFAULTS.chat, model: CHAT_MODEL },
    });
    const memento = new Map<string, unknown>();
    let loading: string | undefined;
    this.core = createCore({
      config: this.config,
      log: this.log,
      ui: {
        statusChanged: () => {
          const facts = this.core.status.facts;
          if (facts.loadingModel && facts.loadingModel !== loading) this.warmUps++;
          loading = facts.loadingModel;
          keep(this.views, this.core.status.view().text);
        },
        notify: (error) => this.notified.push(error),
        badHost: (m) => this.told.push(m),
        keyInClear: (m) => this.told.push(m),
        partlyOnCpu: (m) => this.told.push(m),
      },
      envHost: () => undefined,
      secrets: { get: async () => options.apiKey },
      apiKey: options.apiKey,
      memento: { get: <T>(key: string) => memento.get(key) as T | undefined, update: async (key, value) => void memento.set(key, value) },
      isFocused: () => true,
      setTimer: (fn, ms) => {
        this.healthTimers.push(ms);
        if (!options.realHealthTimers) return undefined;
        const t = setTimeout(() => {
          this.timers.delete(t);
          fn();
        }, ms);
        this.timers.add(t);
        return t;
      },
      clearTimer: (h) => {
        if (h === undefined) return;
        clearTimeout(h as ReturnType<typeof setTimeout>);
        this.timers.delete(h as ReturnType<typeof setTimeout>);
      },
      createBackend: (host, apiKey) => {
        const inner = new OllamaBackend({ host, apiKey, timeouts: options.timeouts });
        return options.wrapBackend ? options.wrapBackend(inner) : inner;
      },
      editorContext: options.context,
      warmOnRecovery: options.warmOnRecovery ?? false,
      slowFirstByteMs: options.slowFirstByteMs,
      residencyCheckAfterMs: options.residencyCheckAfterMs,
      onRequestEnd: (event) => keep(this.ended, event),
    });
    ({ status: this.status, connection: this.connection, lanes: this.lanes, engine: this.engine } = this.core);
  }

  /** The warm-up in progress after a recovery, as activate()'s core runs it (installed check, then warmUp()). */
  async warm(): Promise<void> {
    await this.core.whenWarm();
  }

  /** The completion request the provider builds for a document, with `explicit: true` (no debounce). */
  request(code: string, extra: Partial<CompletionRequest> = {}): CompletionRequest {
    const { text, offset } = cursorAt(code);
    const completion = { ...DEFAULTS.completion, debounceMs: 0, contextFromOtherFiles: this.options.context !== undefined, ...this.options.completion };
    return {
      path: '/repo/src/app.ts',
      displayPath: 'src/app.ts',
      repoName: 'repo',
      languageId: 'typescript',
      text,
      offset,
      indentation: { insertSpaces: true, tabSize: 2 },
      model: COMPLETION_MODEL,
      // As the provider passes it: the hardware choice's context, the one the warm-up loads with.
      numCtx: this.core.models.completionNumCtx(),
      settings: { ...completion, keepAlive: DEFAULTS.keepAlive },
      explicit: true,
      signal: new AbortController().signal,
      ...extra,
    };
  }

  complete(code: string, extra: Partial<CompletionRequest> = {}): Promise<CompletionItem | undefined> {
    return this.engine.complete(this.request(code, extra));
  }

  /** The chat panel as registerChat() and activate() build it: session, controller, its answers hold the server lane. */
  async chat(): Promise<{ session: ChatSession; controller: ChatController; store: HistoryStore }> {
    if (this.chatParts) return this.chatParts;
    const dir = mkdtempSync(path.join(tmpdir(), 'qwen-faults-'));
    const chatLog = this.log.child('chat');
    const store = await HistoryStore.open({ dir, warn: (m) => chatLog.warn(m), logError: (m, e) => chatLog.error(m, e) });
    const numCtx = this.options.chatNumCtx ?? 2048;
    const { services } = this.core;
    const session = new ChatSession({
      backend: () => services.backend(),
      store,
      settings: () => ({ systemPrompt: '', temperature: 0.2, keepAlive: DEFAULTS.keepAlive }),
      defaultModel: () => CHAT_MODEL,
      estimate: estimateTokens,
      numCtx,
      log: chatLog,
      saveDelayMs: 20,
      // As registerChat() wires it: an answer holds the server's lane, so completions wait.
      holdServer: () => services.holdServer(),
    });
    const controller = new ChatController({
      session,
      ide: this.ide,
      backend: () => services.backend(),
      log: chatLog,
      estimate: estimateTokens,
      numCtx,
      exclude: () => DEFAULTS.completion.exclude,
      systemPromptSetting: () => '',
      beginWork: (label) => services.status.beginWork(label),
    });
    this.chatParts = { session, controller, store, dir };
    return this.chatParts;
  }

  /** Sends a chat message the way the panel's Send button does. */
  async ask(text: string): Promise<ReturnType<ChatSession['send']>> {
    const { controller } = await this.chat();
    return controller.ask({ prompt: text, reveal: false, editorContext: false });
  }

  /** Nothing left in progress: no work marked, no lane held, not loading. */
  assertIdle(): void {
    assert.equal(this.status.workInProgress, 0, 'no work stays in progress');
    assert.equal(this.lanes.for(this.connection.backend().host).foregroundBusy, false, 'the lane is free');
    assert.equal(this.status.facts.loadingModel, undefined, 'not loading');
    assert.ok(!this.status.view().text.startsWith(SPINNER), `no spinner (status says ${this.status.view().text})`);
  }

  /** The status bar is back to normal: connected, no error, nothing in progress. */
  assertReady(): void {
    assert.equal(this.status.facts.connection, 'ready');
    assert.equal(this.status.facts.lastError, undefined);
    assert.equal(this.status.view().text, READY_TEXT);
    this.assertIdle();
  }

  /**
   * After the server came back: completions work again within `ms` (each attempt a fresh
   * keystroke, as a person typing on would send), and the status says ready. Returns the attempts.
   */
  async recoverWithin(ms: number, code = 'const total = |\n'): Promise<number> {
    const deadline = Date.now() + ms;
    let attempts = 0;
    for (;;) {
      attempts++;
      const item = await this.complete(code);
      if (item && !item.fromCache) break;
      this.engine.clearCache();
      if (Date.now() > deadline) assert.fail(`no completion within ${ms} ms of the server coming back (${attempts} attempts; status ${this.status.facts.connection})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await this.core.whenWarm();
    this.assertReady();
    return attempts;
  }

  async dispose(): Promise<void> {
    await this.core.whenWarm();
    if (this.chatParts) {
      const { session, controller, store, dir } = this.chatParts;
      await session.dispose();
      controller.dispose();
      await store.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
    this.core.dispose();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/**
 * Collects unhandled rejections and uncaught exceptions while a suite runs; each test must end
 * with none. Call at the top of a describe().
 */
export function noStrayErrors(): { readonly errors: unknown[] } {
  const errors: unknown[] = [];
  const onRejection = (reason: unknown) => errors.push(reason);
  const onException = (error: unknown) => errors.push(error);
  before(() => {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
  });
  after(() => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  });
  afterEach(async () => {
    // Rejections are reported after the microtask queue drains: give them a turn of the loop.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const found = errors.splice(0);
    assert.deepEqual(
      found.map((e) => (e instanceof Error ? e.stack : String(e))),
      [],
      'no unhandled rejection or uncaught exception',
    );
  });
  return { errors };
}

/** Silences the `ollama` client's console.warn/log for bad lines and collects them. */
export async function withQuietClient<T>(run: () => Promise<T>): Promise<{ result: T; printed: unknown[][] }> {
  const printed: unknown[][] = [];
  const { warn, log } = console;
  console.warn = (...args: unknown[]) => printed.push(args);
  console.log = (...args: unknown[]) => printed.push(args);
  try {
    return { result: await run(), printed };
  } finally {
    console.warn = warn;
    console.log = log;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A fresh simulator and a rig connected to it for each test of the calling describe(), both
 * stopped afterwards. Read `sim` and `rig` inside the tests (they change per test).
 */
export function connectedRigPerTest(profile: FaultProfile = 'current'): { readonly sim: OllamaSimulator; readonly rig: Rig } {
  const current: { sim?: OllamaSimulator; rig?: Rig } = {};
  beforeEach(async () => {
    current.sim = new OllamaSimulator({ profile, timing: { loadMs: 1, tokenMs: 1 } });
    await current.sim.start();
    current.rig = new Rig({ sim: current.sim });
    assert.equal(await current.rig.connection.health.check(), true);
  });
  afterEach(async () => {
    await current.rig?.dispose();
    await current.sim?.stop();
  });
  return {
    get sim() {
      return current.sim!;
    },
    get rig() {
      return current.rig!;
    },
  };
}
