// The chat panel's logic between the page, the session and the editor. Pure: no `vscode`
// (the editor is the ChatIde interface, the page a ViewPort).
//
// Other features use two methods: ask() (send a prompt with attachments and stream the answer in
// the panel) and attach() (add context chips without sending).

import { randomUUID } from 'node:crypto';
import type { Backend } from '../backend/backend';
import type { Logger } from '../log';
import type { AttachmentView, BudgetView, CodeAction, ContextSource, HostMessage, WebviewMessage } from '../protocol';
import { PROTOCOL_VERSION } from '../protocol';
import { excludeMatcher } from '../workspace/exclude';
import { fileAttachment, problemsAttachment, selectionAttachment } from './attachments';
import { ChipTray, dedupe } from './chips';
import { codebaseMarker, resolveCodebase, type CodebaseRetriever } from './codebaseContext';
import { buildPrompt } from './context';
import { exportConversation } from './export';
import type { ChatIde } from './ide';
import { answerTokens, numCtxOf, systemPrompt, type ChatSession, type SessionEvent, type TurnResult } from './session';
import type { Attachment } from './types';
import { ChatModelList } from './modelList';
import { chunkMessage, conversationView, endMessage, messageView, runCodeAction } from './views';

export { chatModels, conversationView, errorView, messageView, statsView } from './views';

/** Where host messages go: a PageChannel (channel.ts) holds them until the page is ready. */
export interface ViewPort {
  post(message: HostMessage): void;
}

export interface ControllerDeps {
  session: ChatSession;
  ide: ChatIde;
  backend(): Backend;
  log: Logger;
  estimate(text: string): number;
  numCtx: number | (() => number);
  exclude(): readonly string[];
  systemPromptSetting(): string;
  /** Called with true when an answer starts streaming and false when it ends (the completion scheduler waits). */
  onBusy?(busy: boolean): void;
  /** Marks work in progress in the status bar; returns the function that ends it. */
  beginWork?(label: string): () => void;
  codebase?: CodebaseRetriever; // @codebase (codebaseContext.ts)
  newId?(): string;
  /** May the current file and selection be attached without a click (false in Restricted Mode)? Default yes. */
  autoAttach?(): boolean;
}

/** An attachment from another feature; an id is assigned when missing. */
export type AttachmentInput = Omit<Attachment, 'id'> & { id?: string };

export interface AskOptions {
  prompt: string;
  attachments?: AttachmentInput[];
  /** Also attach the current file and selection (the default chips). Default true. */
  editorContext?: boolean;
  /** Start a new conversation first. Default false. */
  newConversation?: boolean;
  /** Show the panel (default true). */
  reveal?: boolean;
  model?: string;
}

export class ChatController {
  private readonly chips: ChipTray;
  private readonly modelList: ChatModelList;
  private endWork: (() => void) | undefined;
  private readonly newId: () => string;
  private readonly subscription: { dispose(): void };
  private readonly ports = new Set<ViewPort>();

  constructor(private readonly deps: ControllerDeps) {
    this.newId = deps.newId ?? randomUUID;
    this.chips = new ChipTray(deps.estimate, deps.exclude, () => deps.autoAttach?.() ?? true);
    this.subscription = deps.session.onEvent((event) => this.onSessionEvent(event));
    this.modelList = new ChatModelList(deps);
  }

  /** A page to keep up to date (the view adapter registers one per resolved webview). */
  connect(port: ViewPort): { dispose(): void } {
    this.ports.add(port);
    return { dispose: () => this.ports.delete(port) };
  }

  private post(message: HostMessage): void {
    for (const port of this.ports) port.post(message);
  }

  get session(): ChatSession {
    return this.deps.session;
  }

  // ---- API for other features ----

  /** Sends `prompt` (with attachments) in the chat panel and streams the answer there. */
  async ask(options: AskOptions): Promise<TurnResult | undefined> {
    if (options.reveal !== false) await this.deps.ide.revealView(true).catch(() => undefined);
    if (options.newConversation) await this.deps.session.newConversation();
    const given = (options.attachments ?? []).map((a) => ({ ...a, id: a.id ?? this.newId() }));
    const excluded = this.excludedCheck();
    const allowed = given.filter((a) => !a.path || !excluded({ fsPath: a.path, relativePath: a.path }));
    const auto = options.editorContext === false ? [] : this.chips.autoAttachments(this.deps.ide.activeEditor(), this.newId);
    return this.deps.session.send(options.prompt, dedupe([...auto, ...allowed]), options.model ? { model: options.model } : {});
  }

  /** Adds context chips for the next message (e.g. "Add Selection to Chat"). */
  async attach(attachments: AttachmentInput[], reveal = true): Promise<void> {
    const excluded = this.excludedCheck();
    const accepted: Attachment[] = [];
    for (const a of attachments) {
      if (a.path && excluded({ fsPath: a.path, relativePath: a.path })) {
        this.deps.ide.showWarning(`${a.path} matches qwenLocal.completion.exclude and is never sent to the model.`);
        continue;
      }
      accepted.push({ ...a, id: a.id ?? this.newId() });
    }
    this.chips.add(accepted);
    this.postChips();
    if (reveal) {
      await this.deps.ide.revealView(false).catch(() => undefined);
      this.post({ type: 'focusInput' });
    }
  }

  /** The current selection as an explicit chip (fixed at this moment, unlike the auto chip). */
  async attachSelection(): Promise<boolean> {
    const editor = this.deps.ide.activeEditor();
    if (!editor?.selection) return false;
    await this.attach([selectionAttachment(this.newId(), editor.file, editor.selection)]);
    return true;
  }

  /** Puts the cursor in the panel's input (optionally with a draft). */
  focusInput(draft?: string): void {
    this.post(draft === undefined ? { type: 'focusInput' } : { type: 'focusInput', draft });
  }

  // ---- Page messages ----

  async handle(message: WebviewMessage): Promise<void> {
    const { session, ide } = this.deps;
    switch (message.type) {
      case 'ready':
        this.postInit();
        void this.refreshModels();
        return;
      case 'send': {
        if (!message.text.trim()) return;
        const editing = message.editOf !== undefined;
        const { attachments, notice } = await resolveCodebase(message.text, this.takeAttachments(editing), this.deps.codebase, this.newId);
        if (notice) ide.showInfo(notice);
        if (this.modelList.isStale) await this.refreshModels();
        await session.send(message.text, attachments, editing ? { editOf: message.editOf, model: session.model } : { model: session.model });
        return;
      }
      case 'stop':
        await session.stop();
        return;
      case 'regenerate':
        await session.regenerate();
        return;
      case 'retry':
        await session.retry();
        return;
      case 'continue':
        await session.continueAnswer();
        return;
      case 'showHistory':
        await ide.runCommand('qwenLocal.chatHistory');
        return;
      case 'switchConversation':
        await session.switchTo(message.id);
        return;
      case 'renameConversation':
        await this.renameConversation(message.id);
        return;
      case 'deleteConversation':
        await this.deleteConversation(message.id);
        return;
      case 'selectModel':
        session.setModel(message.model);
        this.post({ type: 'models', ...this.modelList.choices() });
        return;
      case 'toggleChip':
        this.toggleChip(message.id);
        return;
      case 'addContext':
        await this.addContext(message.source);
        return;
      case 'codeAction':
        await this.codeAction(message.requestId, message.action, message.code, message.language);
        return;
      case 'copyMessage': {
        const m = session.conversation.messages.find((x) => x.id === message.messageId);
        if (m) await ide.copy(m.content);
        this.post({ type: 'reply', requestId: message.requestId, ok: !!m });
        return;
      }
      case 'openLink':
        await ide.openLink(message.href);
        return;
      case 'pullModel':
        await ide.runCommand('qwenLocal.pullModel', message.model);
        return;
      case 'refreshModels':
        await this.refreshModels();
        return;
    }
  }

  // ---- Conversations (also used by the commands) ----

  async renameConversation(id: string): Promise<void> {
    const summary = this.deps.session.list().find((c) => c.id === id);
    if (!summary) return;
    const title = await this.deps.ide.askText('Name of the conversation', summary.title);
    if (title?.trim()) await this.deps.session.rename(id, title);
  }

  async deleteConversation(id: string): Promise<void> {
    const summary = this.deps.session.list().find((c) => c.id === id);
    if (!summary) return;
    if (!(await this.deps.ide.confirm(`Delete the conversation "${summary.title}"?`, 'Delete'))) return;
    await this.deps.session.delete(id);
  }

  exportConversation(): Promise<void> {
    return exportConversation(this.deps.ide, this.deps.session.conversation);
  }

  // ---- Context chips ----

  private excludedCheck() {
    return excludeMatcher(this.deps.exclude());
  }

  /** The attachments for the message being sent; explicit chips are used up, auto chips stay. */
  private takeAttachments(editing: boolean): Attachment[] {
    const all = this.chips.take(this.deps.ide.activeEditor(), editing, this.newId);
    this.postChips();
    return all;
  }

  private toggleChip(id: string): void {
    this.chips.toggle(id);
    this.postChips();
  }

  private async addContext(source: ContextSource): Promise<void> {
    const { ide } = this.deps;
    if (source === 'codebase') return this.attach([codebaseMarker(this.newId())], false);
    if (source === 'selection') {
      if (!(await this.attachSelection())) ide.showInfo('Select some code in an editor first.');
      return;
    }
    if (source === 'file') {
      const excluded = this.excludedCheck();
      const file = await ide.pickFile((f) => !excluded(f));
      if (!file) return;
      if (excluded(file)) {
        ide.showWarning(`${file.relativePath ?? file.fsPath} matches qwenLocal.completion.exclude and is never sent to the model.`);
        return;
      }
      await this.attach([fileAttachment(this.newId(), file)], false);
      this.post({ type: 'focusInput' });
      return;
    }
    const editor = ide.activeEditor();
    if (!editor) {
      ide.showInfo('Open a file first: @problems attaches the problems of the current file.');
      return;
    }
    await this.attach([problemsAttachment(this.newId(), editor.file, ide.problems(editor.file.uri))], false);
    this.post({ type: 'focusInput' });
  }

  /** Call when the active editor or its selection changes (the adapter debounces). */
  editorChanged(): void {
    this.postChips();
  }

  private chipViews(): AttachmentView[] {
    return this.chips.views(this.deps.ide.activeEditor());
  }

  /** Estimated prompt size with the chips as they are and an empty question. */
  budget(): BudgetView {
    const session = this.deps.session;
    const numCtx = numCtxOf(this.deps.numCtx);
    const limitTokens = numCtx - answerTokens(numCtx);
    const pending = this.chips.pending(this.deps.ide.activeEditor());
    const prompt = buildPrompt({
      system: systemPrompt(this.deps.systemPromptSetting()),
      history: session.conversation.messages.map((m) => ({ role: m.role, text: m.content, attachments: m.attachments })),
      current: { role: 'user', text: '', attachments: pending },
      // Unbounded here: the meter shows the real size, over the limit if it is.
      limitTokens: Number.MAX_SAFE_INTEGER,
      estimate: this.deps.estimate,
    });
    return { usedTokens: prompt.tokens, limitTokens };
  }

  private postChips(): void {
    if (this.ports.size === 0) return;
    this.post({ type: 'chips', chips: this.chipViews(), budget: this.budget() });
  }

  private async codeAction(requestId: number, action: CodeAction, code: string, language: string | undefined): Promise<void> {
    const failure = await runCodeAction(this.deps.ide, this.deps.log, action, code, language);
    this.post(failure ? { type: 'reply', requestId, ok: false, message: failure } : { type: 'reply', requestId, ok: true });
  }

  /** Another server: a conversation's model from the old one may not be here (checked before the next message). */
  serverChanged(): void {
    this.modelList.markStale();
    if (this.ports.size > 0) void this.refreshModels();
  }

  async refreshModels(): Promise<void> {
    await this.modelList.refresh();
    this.post({ type: 'models', ...this.modelList.choices() });
  }

  // ---- Session events → page ----

  private postInit(): void {
    const session = this.deps.session;
    this.post({
      type: 'init',
      protocol: PROTOCOL_VERSION,
      conversation: conversationView(session.conversation),
      conversations: session.list(),
      ...this.modelList.choices(),
      chips: this.chipViews(),
      budget: this.budget(),
      busy: session.busy,
    });
  }

  private onSessionEvent(event: SessionEvent): void {
    switch (event.type) {
      case 'conversation':
        this.post({ type: 'conversation', conversation: conversationView(event.conversation), conversations: this.deps.session.list() });
        this.post({ type: 'models', ...this.modelList.choices() });
        this.postChips();
        return;
      case 'list':
        this.post({ type: 'conversations', conversations: this.deps.session.list() });
        return;
      case 'added':
        this.post({ type: 'messageAdded', message: messageView(event.message) });
        if (event.message.role === 'user') this.postChips();
        return;
      case 'updated':
        this.post({ type: 'messageUpdated', message: messageView(event.message) });
        return;
      case 'removed':
        this.post({ type: 'messagesRemoved', ids: event.ids });
        return;
      case 'chunk':
        this.post(chunkMessage(event.messageId, event.delta));
        return;
      case 'end':
        this.post(endMessage(event.message));
        this.postChips();
        return;
      case 'busy':
        this.setBusy(event.busy);
        return;
    }
  }

  private setBusy(busy: boolean): void {
    this.post({ type: 'busy', busy });
    if (busy) {
      this.endWork?.();
      this.endWork = this.deps.beginWork?.('Chat');
    } else {
      this.endWork?.();
      this.endWork = undefined;
    }
    try {
      this.deps.onBusy?.(busy);
    } catch (error) {
      this.deps.log.error('onBusy hook failed', error);
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.endWork?.();
    this.endWork = undefined;
    this.ports.clear();
  }
}
