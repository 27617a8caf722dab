// Fakes for the chat tests: a Backend scripted per request, a temp folder, a session factory.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Backend, ChatRequest, InstalledModel, ModelDetails, StreamChunk } from '../../../src/backend/backend';
import { BackendError } from '../../../src/backend/errors';
import { silentLogger } from '../../../src/log';
import { HistoryStore } from '../../../src/chat/history';
import { ChatSession, type SessionEvent } from '../../../src/chat/session';

export type Script = (request: ChatRequest) => AsyncIterable<StreamChunk>;

export interface FakeBackend extends Backend {
  requests: ChatRequest[];
  /** Replaces how the next chat calls answer. */
  script: Script;
  models: string[];
  contextLength?: number;
  /** Set after a request's signal fired. */
  aborted: boolean[];
}

export function fakeBackend(script: Script = answer('Hello!')): FakeBackend {
  const backend: FakeBackend = {
    host: 'http://127.0.0.1:11434',
    requests: [],
    aborted: [],
    script,
    models: ['qwen2.5-coder:7b', 'qwen2.5-coder:1.5b-base', 'nomic-embed-text:latest'],
    chat(request: ChatRequest): AsyncIterable<StreamChunk> {
      const index = backend.requests.push(request) - 1;
      backend.aborted[index] = false;
      request.signal?.addEventListener('abort', () => (backend.aborted[index] = true));
      return backend.script(request);
    },
    generate(): AsyncIterable<StreamChunk> {
      throw new Error('not used');
    },
    async listModels(): Promise<InstalledModel[]> {
      return backend.models.map((name) => ({ name, sizeBytes: 1, digest: 'd', modifiedAt: '' }));
    },
    async loadedModels() {
      return [];
    },
    async show(): Promise<ModelDetails> {
      return { capabilities: ['completion'], ...(backend.contextLength ? { contextLength: backend.contextLength } : {}) };
    },
    pull(): AsyncIterable<never> {
      throw new Error('not used');
    },
    async version() {
      return '0.6.0';
    },
    async embed(): Promise<number[][]> {
      throw new Error('not used');
    },
  };
  return backend;
}

/** Streams `text` in pieces of `size` characters, then a done chunk. */
export function answer(text: string, options: { size?: number; doneReason?: string } = {}): Script {
  return async function* () {
    const size = options.size ?? 4;
    for (let i = 0; i < text.length; i += size) yield { text: text.slice(i, i + size), done: false };
    yield { text: '', done: true, stats: { doneReason: options.doneReason ?? 'stop', evalCount: 12, evalDurationNs: 400_000_000, totalDurationNs: 600_000_000 } };
  };
}

/** Yields `first`, then waits until aborted and throws an AbortError the way the client does. */
export function untilAborted(first: string[]): Script {
  return async function* (request) {
    for (const text of first) yield { text, done: false };
    await new Promise<void>((resolve) => {
      if (request.signal?.aborted) resolve();
      request.signal?.addEventListener('abort', () => resolve());
    });
    const error = new Error('This operation was aborted');
    error.name = 'AbortError';
    throw error;
  };
}

/** Yields `first`, then the connection drops. */
export function dropsAfter(first: string[]): Script {
  return async function* () {
    for (const text of first) yield { text, done: false };
    throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
  };
}

export function failsWith(error: BackendError): Script {
  return async function* () {
    yield* [];
    throw error;
  };
}

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'qwen-chat-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Harness {
  session: ChatSession;
  store: HistoryStore;
  backend: FakeBackend;
  events: SessionEvent[];
  dir: string;
  warnings: string[];
  settings: { systemPrompt: string; temperature: number; keepAlive: string };
  cleanup(): Promise<void>;
}

export async function harness(options: { script?: Script; numCtx?: number; dir?: string } = {}): Promise<Harness> {
  const temp = options.dir ? { dir: options.dir, cleanup: () => undefined } : tempDir();
  const warnings: string[] = [];
  const store = await HistoryStore.open({ dir: temp.dir, warn: (m) => warnings.push(m) });
  const backend = fakeBackend(options.script);
  const settings = { systemPrompt: '', temperature: 0.2, keepAlive: '30m' };
  let id = 0;
  let clock = 1_700_000_000_000;
  const session = new ChatSession({
    backend: () => backend,
    store,
    settings: () => settings,
    defaultModel: () => 'qwen2.5-coder:7b',
    estimate: (t) => Math.ceil(t.length / 3.5),
    numCtx: options.numCtx ?? 8192,
    log: silentLogger,
    newId: () => `id${++id}`,
    now: () => (clock += 1000),
    saveDelayMs: 5,
  });
  const events: SessionEvent[] = [];
  session.onEvent((e) => events.push(e));
  return {
    session,
    store,
    backend,
    events,
    dir: temp.dir,
    warnings,
    settings,
    async cleanup() {
      await session.dispose();
      await store.dispose();
      temp.cleanup();
    },
  };
}

export function modelNotFound(model: string): BackendError {
  return new BackendError('modelNotFound', `Model "${model}" is not installed on http://127.0.0.1:11434.`, { host: 'http://127.0.0.1:11434', model }, 404);
}
