// One chat panel's conversations and the answer being streamed. Pure: no `vscode`.
//
// The host owns the transcript: every change goes to the history store (the user's message at once,
// the answer every `saveDelayMs` while it streams, and again when it ends), so a reload or a crash
// loses at most the last moments of an answer and never a question.
// One answer streams at a time; stop() aborts it at the server through the request's AbortSignal.

import { randomUUID } from 'node:crypto';
import type { Backend } from '../backend/backend';
import type { Logger } from '../log';
import type { MessageStatus } from '../protocol';
import type { PromptMessage } from './context';
import type { HistoryStore } from './history';
import { ThinkStream, type ThinkDelta } from './think';
import { CONTINUE_INSTRUCTION, numCtxOf, runTurn, type ChatSettings } from './turn';
import type { Attachment, StoredConversation, StoredError, StoredMessage } from './types';

export { BASE_SYSTEM_PROMPT, CONTINUE_INSTRUCTION, answerTokens, numCtxOf, systemPrompt, type ChatSettings } from './turn';

export interface SessionDeps {
  backend(): Backend;
  store: HistoryStore;
  settings(): ChatSettings;
  defaultModel(): string;
  estimate(text: string): number;
  /** The context window requested from the server (num_ctx); a getter follows the model choice. */
  numCtx: number | (() => number);
  log: Logger;
  now?(): number;
  newId?(): string;
  /** Interval of saves while an answer streams. */
  saveDelayMs?: number;
  /** Holds the server while an answer streams (completions wait), as actions do. */
  holdServer?(): () => void;
}

export type SessionEvent =
  | { type: 'conversation'; conversation: StoredConversation }
  | { type: 'list' }
  | { type: 'added'; message: StoredMessage }
  | { type: 'updated'; message: StoredMessage }
  | { type: 'removed'; ids: string[] }
  | { type: 'chunk'; messageId: string; delta: ThinkDelta }
  | { type: 'end'; message: StoredMessage }
  | { type: 'busy'; busy: boolean };

export interface TurnResult {
  status: Exclude<MessageStatus, 'streaming'>;
  /** The answer (without its thinking). */
  content: string;
  error?: StoredError;
  messageId: string;
}

export interface SendOptions {
  model?: string;
  /** Replace this earlier user message (and drop everything after it). */
  editOf?: string;
}

interface Active {
  abort: AbortController;
  messageId: string;
  finished: Promise<TurnResult>;
}

export function titleFrom(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 57).trimEnd()}…` : line || 'New chat';
}

export class ChatSession {
  private current: StoredConversation;
  private active: Active | undefined;
  private readonly listeners = new Set<(event: SessionEvent) => void>();
  private readonly contextSizes = new Map<string, Promise<number>>();
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(private readonly deps: SessionDeps) {
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? randomUUID;
    const latest = deps.store.list()[0];
    this.current = (latest && deps.store.get(latest.id)) || this.blank();
  }

  onEvent(listener: (event: SessionEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  get conversation(): StoredConversation {
    return this.current;
  }

  get busy(): boolean {
    return this.active !== undefined;
  }

  get streamingMessageId(): string | undefined {
    return this.active?.messageId;
  }

  /** The model of the current conversation: its own pick, else the default. */
  get model(): string {
    return this.current.model ?? this.deps.defaultModel();
  }

  private emit(event: SessionEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.deps.log.error('Chat listener failed', error);
      }
    }
  }

  private blank(): StoredConversation {
    const t = this.now();
    return { id: this.newId(), title: 'New chat', createdAt: t, updatedAt: t, messages: [] };
  }

  /** Sends a message and streams the answer; resolves when the answer ends. Empty text is ignored. */
  async send(text: string, attachments: Attachment[] = [], options: SendOptions = {}): Promise<TurnResult | undefined> {
    if (!text.trim()) return undefined;
    await this.stop();
    const conversation = this.current;
    if (options.model) conversation.model = options.model;

    if (options.editOf) {
      const index = conversation.messages.findIndex((m) => m.id === options.editOf && m.role === 'user');
      if (index >= 0) {
        const edited = conversation.messages[index];
        if (attachments.length === 0 && edited.attachments) attachments = edited.attachments;
        const removed = conversation.messages.splice(index).map((m) => m.id);
        this.emit({ type: 'removed', ids: removed });
      }
    }

    const user: StoredMessage = { id: this.newId(), role: 'user', content: text, createdAt: this.now() };
    if (attachments.length > 0) user.attachments = attachments;
    if (conversation.messages.length === 0) conversation.title = titleFrom(text);
    conversation.messages.push(user);
    this.emit({ type: 'added', message: user });
    return this.answer(conversation);
  }

  /** Replaces the last answer with a new one. */
  async regenerate(): Promise<TurnResult | undefined> {
    await this.stop();
    const conversation = this.current;
    const last = conversation.messages[conversation.messages.length - 1];
    if (!last) return undefined;
    if (last.role === 'assistant') {
      conversation.messages.pop();
      this.emit({ type: 'removed', ids: [last.id] });
    }
    if (conversation.messages.length === 0) return undefined;
    return this.answer(conversation);
  }

  /** After a failed answer: the partial text stays until the new answer replaces it. */
  retry(): Promise<TurnResult | undefined> {
    return this.regenerate();
  }

  /** Continues an answer that was cut at the length limit (or stopped), appending to it. */
  async continueAnswer(): Promise<TurnResult | undefined> {
    await this.stop();
    const conversation = this.current;
    const last = conversation.messages[conversation.messages.length - 1];
    if (!last || last.role !== 'assistant' || !last.content) return this.regenerate();
    const history = this.promptHistory(conversation.messages);
    const current: PromptMessage = { role: 'user', text: CONTINUE_INSTRUCTION };
    last.status = 'streaming';
    delete last.error;
    this.emit({ type: 'updated', message: last });
    return this.stream(conversation, last, history, current, ThinkStream.resume(last.thinking ?? '', last.content));
  }

  private answer(conversation: StoredConversation): Promise<TurnResult> {
    const messages = conversation.messages;
    const question = messages[messages.length - 1];
    const assistant: StoredMessage = {
      id: this.newId(),
      role: 'assistant',
      content: '',
      model: conversation.model ?? this.deps.defaultModel(),
      status: 'streaming',
      createdAt: this.now(),
    };
    const history = this.promptHistory(messages.slice(0, -1));
    const current: PromptMessage = { role: 'user', text: question.content, attachments: question.attachments };
    messages.push(assistant);
    this.emit({ type: 'added', message: assistant });
    return this.stream(conversation, assistant, history, current, new ThinkStream());
  }

  private promptHistory(messages: readonly StoredMessage[]): PromptMessage[] {
    // The thinking part is never sent back: only the answer.
    return messages.map((m) => ({ role: m.role, text: m.content, attachments: m.attachments }));
  }

  private persist(conversation: StoredConversation, now: boolean): Promise<void> {
    conversation.updatedAt = this.now();
    this.deps.store.put(conversation);
    if (!now) {
      this.deps.store.scheduleSave(this.deps.saveDelayMs ?? 1_500);
      return Promise.resolve();
    }
    return this.deps.store.save().catch((error: unknown) => this.deps.log.error('Could not save the chat history', error));
  }

  private stream(
    conversation: StoredConversation,
    assistant: StoredMessage,
    history: PromptMessage[],
    current: PromptMessage,
    think: ThinkStream,
  ): Promise<TurnResult> {
    const abort = new AbortController();
    const finished = this.run(conversation, assistant, history, current, think, abort);
    this.active = { abort, messageId: assistant.id, finished };
    this.emit({ type: 'busy', busy: true });
    this.emit({ type: 'list' });
    return finished;
  }

  private async run(
    conversation: StoredConversation,
    assistant: StoredMessage,
    history: PromptMessage[],
    current: PromptMessage,
    think: ThinkStream,
    abort: AbortController,
  ): Promise<TurnResult> {
    // The question is on disk before the model sees it.
    void this.persist(conversation, true);
    const model = assistant.model ?? this.model;
    const backend = this.deps.backend();
    const outcome = await runTurn(
      {
        backend,
        settings: this.deps.settings(),
        estimate: this.deps.estimate,
        numCtx: await this.contextSize(model, backend),
        log: this.deps.log,
        ...(this.deps.holdServer ? { holdServer: this.deps.holdServer } : {}),
      },
      {
        assistant,
        model,
        history,
        current,
        think,
        signal: abort.signal,
        abort: () => abort.abort(),
        onDelta: (delta) => {
          this.emit({ type: 'chunk', messageId: assistant.id, delta });
          void this.persist(conversation, false);
        },
        onUpdate: () => this.emit({ type: 'updated', message: assistant }),
      },
    );
    const { status, error } = outcome;
    assistant.status = status;
    if (error) assistant.error = error;
    else delete assistant.error;
    if (outcome.stats) assistant.stats = outcome.stats;
    if (this.active?.messageId === assistant.id) this.active = undefined;
    await this.persist(conversation, true);
    this.emit({ type: 'end', message: assistant });
    this.emit({ type: 'busy', busy: false });
    this.emit({ type: 'list' });
    return { status, content: assistant.content, messageId: assistant.id, ...(error ? { error } : {}) };
  }

  /** The context window to ask for: the configured one, or less if the model cannot take it. */
  private contextSize(model: string, backend: Backend): Promise<number> {
    const configured = numCtxOf(this.deps.numCtx);
    const key = `${model}@${configured}`;
    let size = this.contextSizes.get(key);
    if (!size) {
      size = backend
        .show(model)
        .then((details) => (details.contextLength && details.contextLength < configured ? details.contextLength : configured))
        .catch(() => {
          // Not cached: the next message asks again (the model may be pulled by then).
          this.contextSizes.delete(key);
          return configured;
        });
      this.contextSizes.set(key, size);
    }
    return size;
  }

  /** Stops the answer being streamed (the server stops too); resolves when it has ended. */
  async stop(): Promise<void> {
    const active = this.active;
    if (!active) return;
    active.abort.abort();
    await active.finished.catch(() => undefined);
  }

  async newConversation(): Promise<void> {
    await this.stop();
    if (this.current.messages.length === 0) {
      this.emit({ type: 'conversation', conversation: this.current });
      return;
    }
    const model = this.current.model;
    this.current = this.blank();
    if (model) this.current.model = model;
    this.emit({ type: 'conversation', conversation: this.current });
    this.emit({ type: 'list' });
  }

  async switchTo(id: string): Promise<boolean> {
    const target = this.deps.store.get(id);
    if (!target) return false;
    if (target === this.current) return true;
    await this.stop();
    this.current = target;
    this.emit({ type: 'conversation', conversation: target });
    return true;
  }

  async rename(id: string, title: string): Promise<void> {
    const conversation = this.deps.store.get(id) ?? (this.current.id === id ? this.current : undefined);
    if (!conversation || !title.trim()) return;
    conversation.title = title.trim().slice(0, 200);
    if (conversation.messages.length > 0) this.deps.store.put(conversation);
    await this.deps.store.save().catch((error: unknown) => this.deps.log.error('Could not save the chat history', error));
    this.emit({ type: 'list' });
    if (conversation === this.current) this.emit({ type: 'conversation', conversation });
  }

  async delete(id: string): Promise<void> {
    if (id === this.current.id) {
      await this.stop();
      this.deps.store.delete(id);
      const next = this.deps.store.list()[0];
      this.current = (next && this.deps.store.get(next.id)) || this.blank();
      this.emit({ type: 'conversation', conversation: this.current });
    } else this.deps.store.delete(id);
    await this.deps.store.save().catch((error: unknown) => this.deps.log.error('Could not save the chat history', error));
    this.emit({ type: 'list' });
  }

  /** After a server change: a conversation's model this server does not have gives way to the default. */
  forgetModelNotIn(available: readonly string[]): boolean {
    const pinned = this.current.model;
    if (pinned === undefined || available.includes(pinned)) return false;
    delete this.current.model;
    if (this.current.messages.length > 0) void this.persist(this.current, false);
    return true;
  }

  setModel(model: string): void {
    this.current.model = model;
    if (this.current.messages.length > 0) void this.persist(this.current, false);
  }

  list() {
    const stored = this.deps.store.list();
    if (this.current.messages.length > 0 && !stored.some((s) => s.id === this.current.id)) {
      stored.unshift({ id: this.current.id, title: this.current.title, updatedAt: this.current.updatedAt, messageCount: this.current.messages.length });
    }
    return stored;
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.listeners.clear();
  }
}
