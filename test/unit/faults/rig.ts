// The extension's core as activate() wires it, without VS Code, against the Ollama simulator:
// Connection (backend + outcome reporting + health) → StatusModel, the completion engine with the
// provider's events, the shared server lanes, and the chat (session + controller) with the glue
// that registerChat() uses. Shared by the fault matrix, the security tests and the soak script.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Backend } from '../../../src/backend/backend';
import { Connection } from '../../../src/backend/connection';
import type { BackendError } from '../../../src/backend/errors';
import { OllamaBackend, type Timeouts } from '../../../src/backend/ollama';
import { warmUp } from '../../../src/backend/warmup';
import type { ChatIde, EditorState } from '../../../src/chat/ide';
import { ChatController } from '../../../src/chat/controller';
import { HistoryStore } from '../../../src/chat/history';
import { ChatSession } from '../../../src/chat/session';
import { estimateTokens } from '../../../src/completion/budget';
import type { EditorContextSource, OpenDocument, RecentEdit } from '../../../src/completion/context';
import { CompletionEngine, type CompletionItem, type CompletionRequest, type RequestEndEvent } from '../../../src/completion/engine';
import { ServerLanes } from '../../../src/completion/scheduler';
import { silentLogger, type Logger } from '../../../src/log';
import { DEFAULTS } from '../../../src/settings';
import { StatusModel } from '../../../src/ui/statusModel';
import { OllamaSimulator } from '../../sim/simulator';

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
}

/** A ChatIde with no editor behind it; `editor` is what the active editor shows. */
export class FakeIde implements ChatIde {
  editor: EditorState | undefined;
  readonly warnings: string[] = [];
  readonly infos: string[] = [];
  readonly commands: { command: string; args: unknown[] }[] = [];
  activeEditor(): EditorState | undefined {
    return this.editor;
  }
  problems() {
    return [];
  }
  async pickFile() {
    return undefined;
  }
  async insertAtCursor() {
    return undefined;
  }
  async applyToFile() {
    return undefined;
  }
  async newFile() {
    return undefined;
  }
  async copy() {}
  async openLink() {}
  async saveMarkdown() {
    return undefined;
  }
  async askText() {
    return undefined;
  }
  async confirm() {
    return false;
  }
  showWarning(message: string): void {
    this.warnings.push(message);
  }
  showInfo(message: string): void {
    this.infos.push(message);
  }
  async runCommand(command: string, ...args: unknown[]): Promise<void> {
    this.commands.push({ command, args });
  }
  async revealView() {}
}

/** An editor context made of plain objects; `reads` records every file the engine asked for. */
export class FakeEditorContext implements EditorContextSource {
  readonly docs: OpenDocument[] = [];
  readonly edits: RecentEdit[] = [];
  readonly files = new Map<string, string>();
  readonly reads: string[] = [];
  readonly texts: string[] = [];
  constructor(private readonly root = '/repo') {}

  open(p: string, languageId: string, text: string): this {
    this.docs.push({
      path: p,
      languageId,
      version: 1,
      getText: () => {
        this.texts.push(p);
        return text;
      },
    });
    return this;
  }
  edit(p: string, line: number): this {
    this.edits.unshift({ path: p, line });
    return this;
  }
  file(p: string, text: string): this {
    this.files.set(p, text);
    return this;
  }
  openDocuments(): readonly OpenDocument[] {
    return this.docs;
  }
  recentEdits(): readonly RecentEdit[] {
    return this.edits;
  }
  async readFile(p: string): Promise<string | undefined> {
    this.reads.push(p);
    return this.files.get(p);
  }
  displayPath(p: string): string {
    return p.startsWith(this.root + '/') ? p.slice(this.root.length + 1) : p;
  }
  workspaceFolders(): readonly string[] {
    return [this.root];
  }
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
  readonly status: StatusModel;
  readonly connection: Connection;
  readonly lanes = new ServerLanes();
  readonly engine: CompletionEngine;
  /** Notifications the status asked for, in order (the StatusBar shows one per entry). */
  readonly notified: BackendError[] = [];
  /** Every rendered status text, in order (the latest 1,000 to 2,000 in a long run). */
  readonly views: string[] = [];
  /** Every finished completion request (the latest 1,000 to 2,000 in a long run). */
  readonly ended: RequestEndEvent[] = [];
  readonly healthTimers: number[] = [];
  readonly ide = new FakeIde();
  recovered = 0;
  warmUps = 0;
  private readonly working = new Map<string, () => void>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private chatParts: { session: ChatSession; controller: ChatController; store: HistoryStore; dir: string } | undefined;
  private warming: Promise<unknown> = Promise.resolve();
  private readonly log: Logger;

  constructor(private readonly options: RigOptions) {
    const { sim } = options;
    this.log = options.log ?? silentLogger;
    const statusLog = this.log.child('status');
    this.status = new StatusModel(
      { host: sim.url, completionModel: COMPLETION_MODEL, chatModel: CHAT_MODEL, completionsEnabled: true },
      {
        changed: () => keep(this.views, this.status.view().text),
        notify: (error) => this.notified.push(error),
        recovered: () => {
          this.recovered++;
          if (options.warmOnRecovery) this.warming = this.warm();
        },
        log: (m) => statusLog.warn(m),
      },
    );
    this.connection = new Connection({
      host: () => sim.url,
      apiKey: () => options.apiKey,
      status: this.status,
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
    });
    const completionLog = this.log.child('completion');
    // As createInlineCompletions() wires it from activate(): failures reach the status through
    // the reporting backend, the engine's own events only mark work and timings.
    this.engine = new CompletionEngine({
      backend: () => this.connection.backend(),
      context: options.context,
      lanes: this.lanes,
      log: completionLog,
      events: {
        onRequestStart: ({ id }) => this.working.set(id, this.status.beginWork('completion')),
        onRequestEnd: (event) => {
          this.working.get(event.id)?.();
          this.working.delete(event.id);
          keep(this.ended, event);
          completionLog.debug(`${event.model} ${event.outcome} in ${event.latencyMs.toFixed(0)} ms`);
        },
      },
    });
  }

  /** The warm-up activate() runs after a recovery (the installed check, then warmUp()). */
  async warm(): Promise<void> {
    this.warmUps++;
    try {
      const installed = await this.connection.backend().listModels(AbortSignal.timeout(5_000));
      if (!installed.some((m) => m.name === COMPLETION_MODEL)) return;
      await warmUp(COMPLETION_MODEL, {
        backend: this.connection.backend(),
        keepAlive: DEFAULTS.keepAlive,
        setLoading: (m) => this.status.setLoading(m),
      });
    } catch (error) {
      this.log.debug(`Warm-up failed: ${error instanceof Error ? error.message : String(error)}`);
    }
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
      settings: { ...completion, keepAlive: DEFAULTS.keepAlive },
      explicit: true,
      signal: new AbortController().signal,
      ...extra,
    };
  }

  complete(code: string, extra: Partial<CompletionRequest> = {}): Promise<CompletionItem | undefined> {
    return this.engine.complete(this.request(code, extra));
  }

  /** The chat panel as registerChat() and activate() build it: session, controller, busy → lane and status. */
  async chat(): Promise<{ session: ChatSession; controller: ChatController; store: HistoryStore }> {
    if (this.chatParts) return this.chatParts;
    const dir = mkdtempSync(path.join(tmpdir(), 'qwen-faults-'));
    const chatLog = this.log.child('chat');
    const store = await HistoryStore.open({ dir, warn: (m) => chatLog.warn(m), logError: (m, e) => chatLog.error(m, e) });
    const numCtx = this.options.chatNumCtx ?? 2048;
    let releaseChatHold: (() => void) | undefined;
    const session = new ChatSession({
      backend: () => this.connection.backend(),
      store,
      settings: () => ({ systemPrompt: '', temperature: 0.2, keepAlive: DEFAULTS.keepAlive }),
      defaultModel: () => CHAT_MODEL,
      estimate: estimateTokens,
      numCtx,
      log: chatLog,
      saveDelayMs: 20,
    });
    const controller = new ChatController({
      session,
      ide: this.ide,
      backend: () => this.connection.backend(),
      log: chatLog,
      estimate: estimateTokens,
      numCtx,
      exclude: () => DEFAULTS.completion.exclude,
      systemPromptSetting: () => '',
      // As activate() wires it: while an answer streams the chat holds the server's lane
      // (services.holdServer()), so completions wait.
      onBusy: (busy) => {
        releaseChatHold?.();
        releaseChatHold = busy ? this.lanes.for(this.connection.host).acquireForeground() : undefined;
      },
      beginWork: (label) => this.status.beginWork(label),
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
    await this.warming;
    this.assertReady();
    return attempts;
  }

  async dispose(): Promise<void> {
    await this.warming;
    if (this.chatParts) {
      const { session, controller, store, dir } = this.chatParts;
      await session.dispose();
      controller.dispose();
      await store.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
    this.engine.dispose();
    this.connection.dispose();
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
export function connectedRigPerTest(): { readonly sim: OllamaSimulator; readonly rig: Rig } {
  const current: { sim?: OllamaSimulator; rig?: Rig } = {};
  beforeEach(async () => {
    current.sim = new OllamaSimulator({ timing: { loadMs: 1, tokenMs: 1 } });
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
