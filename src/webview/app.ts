// The chat page: a top bar (model picker, title), the transcript, a banner and the composer. No
// framework, no inline scripts or styles. Every message from the host goes through handle() (after
// rpc.ts checked it), every action to the host through the rpc. The host owns the transcript; the
// page keeps only the draft, the scroll position and an edit in progress in the webview state.

import type { ConversationView, HostMessage, WebviewMessage } from '../protocol';
import { codeOf } from './codeblock';
import { Composer } from './composer';
import { button, h, icon } from './dom';
import { createMarkdownRenderer, type MarkdownRenderer } from './markdown';
import { PageRpc, type VsCodeApi } from './rpc';
import { Transcript } from './transcript';

export type { VsCodeApi } from './rpc';
export { draftTokens } from './composer';

interface PageState {
  draft?: string;
  scrollTop?: number;
  conversationId?: string;
  editOf?: string;
}

export interface AppOptions {
  window: Window;
  api: VsCodeApi;
  /** Schedules a render batch; the browser's requestAnimationFrame by default. */
  requestFrame?: (callback: () => void) => void;
  markdown?: MarkdownRenderer;
}

export class ChatApp {
  private readonly doc: Document;
  private readonly rpc: PageRpc;
  readonly root: HTMLElement;
  private readonly list: Transcript;
  private readonly composer: Composer;
  private readonly modelSelect: HTMLSelectElement;
  private readonly banner: HTMLElement;
  private readonly title: HTMLElement;
  private stateTimer: ReturnType<typeof setTimeout> | undefined;
  private bannerTimer: ReturnType<typeof setTimeout> | undefined;
  private initialized = false;

  constructor(private readonly options: AppOptions) {
    const w = options.window;
    const doc = (this.doc = w.document);
    this.rpc = new PageRpc(options.api);
    const markdown = options.markdown ?? createMarkdownRenderer(w);
    const requestFrame = options.requestFrame ?? ((cb) => w.requestAnimationFrame(() => cb()));

    this.title = h(doc, 'span', { class: 'conversation-title' });
    this.modelSelect = h(doc, 'select', { class: 'model-select', attrs: { 'aria-label': 'Model' } });
    const topbar = h(doc, 'div', { class: 'topbar' }, [
      h(doc, 'label', { class: 'model-picker', title: 'Model for this conversation' }, [icon(doc, 'hubot'), this.modelSelect]),
      this.title,
    ]);
    this.list = new Transcript(doc, markdown, requestFrame, (title) => (this.title.textContent = title));
    this.banner = h(doc, 'div', { class: 'banner', attrs: { role: 'status' } });
    this.banner.hidden = true;
    this.composer = new Composer(doc, {
      post: (m) => this.post(m),
      lastQuestion: () => {
        const last = this.list.lastQuestion();
        return last ? { id: last.id, content: last.view.content } : undefined;
      },
      changed: () => this.saveState(),
      sent: () => (this.list.pinned = true),
    });
    this.root = h(doc, 'div', { class: 'chat' }, [topbar, this.list.element, this.banner, this.composer.element]);
  }

  get transcript(): HTMLElement {
    return this.list.element;
  }

  get input(): HTMLTextAreaElement {
    return this.composer.input;
  }

  /** Puts the page into the document, wires the events and tells the host it is ready. */
  start(container: HTMLElement = this.doc.body): void {
    container.replaceChildren(this.root);
    const state = this.state();
    if (state.draft) this.composer.setDraft(state.draft);
    this.composer.autoSize();
    this.wire();
    this.rpc.start(this.options.window, (m) => this.handle(m));
  }

  private post(message: WebviewMessage): void {
    this.rpc.post(message);
  }

  private state(): PageState {
    const s = this.options.api.getState();
    return typeof s === 'object' && s !== null ? (s as PageState) : {};
  }

  private saveState(): void {
    if (this.stateTimer) return;
    this.stateTimer = setTimeout(() => {
      this.stateTimer = undefined;
      const state: PageState = { draft: this.input.value, scrollTop: this.transcript.scrollTop, conversationId: this.list.conversation?.id };
      if (this.composer.editOf) state.editOf = this.composer.editOf;
      this.options.api.setState(state);
    }, 200);
  }

  private wire(): void {
    this.composer.wire();
    this.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.composer.busy && e.target !== this.input) {
        e.preventDefault();
        this.post({ type: 'stop' });
      }
    });
    this.transcript.addEventListener('scroll', () => {
      const t = this.transcript;
      this.list.pinned = t.scrollTop + t.clientHeight >= t.scrollHeight - 24;
      this.saveState();
    });
    this.root.addEventListener('click', (e) => this.onClick(e));
    // Middle clicks would open links without the click handler.
    this.root.addEventListener('auxclick', (e) => {
      if ((e.target as Element | null)?.closest?.('a')) e.preventDefault();
    });
    this.modelSelect.addEventListener('change', () => this.post({ type: 'selectModel', model: this.modelSelect.value }));
    this.modelSelect.addEventListener('focus', () => this.post({ type: 'refreshModels' }));
  }

  private onClick(e: MouseEvent): void {
    const target = e.target as Element | null;
    if (!target?.closest) return;
    const link = target.closest('a');
    if (link && this.root.contains(link)) {
      e.preventDefault();
      const href = link.getAttribute('href');
      if (href) this.post({ type: 'openLink', href });
      return;
    }
    const codeButton = target.closest('[data-code-action]') as HTMLElement | null;
    if (codeButton) {
      this.codeAction(codeButton);
      return;
    }
    const el = target.closest('[data-command]') as HTMLElement | null;
    if (el) this.command(el);
  }

  private command(el: HTMLElement): void {
    const messageId = (el.closest('article.message') as HTMLElement | null)?.dataset.id;
    const id = el.dataset.id;
    switch (el.dataset.command) {
      case 'send':
        return this.composer.send();
      case 'stop':
      case 'regenerate':
      case 'retry':
      case 'continue':
        return this.post({ type: el.dataset.command });
      case 'mention':
        return this.composer.menu.open();
      case 'mention-pick':
        if (el.dataset.source === 'file' || el.dataset.source === 'problems' || el.dataset.source === 'selection') this.composer.menu.pick(el.dataset.source);
        return;
      case 'pull':
        if (el.dataset.model) this.post({ type: 'pullModel', model: el.dataset.model });
        return;
      case 'copy-message':
        if (messageId) this.request(el, (requestId) => ({ type: 'copyMessage', requestId, messageId }));
        return;
      case 'edit': {
        const item = messageId ? this.list.item(messageId) : undefined;
        if (item) this.composer.startEdit({ id: item.id, content: item.view.content });
        return;
      }
      case 'chip':
        if (id) this.post({ type: 'toggleChip', id });
        return;
      case 'open-conversation':
        if (id) this.post({ type: 'switchConversation', id });
        return;
      case 'rename-conversation':
        if (id) this.post({ type: 'renameConversation', id });
        return;
      case 'delete-conversation':
        if (id) this.post({ type: 'deleteConversation', id });
        return;
      case 'all-conversations':
        return this.post({ type: 'showHistory' });
      case 'close-banner':
        this.banner.hidden = true;
        return;
    }
  }

  /** Posts a request and shows its outcome on the button that made it. */
  private request(origin: HTMLElement, make: (requestId: number) => WebviewMessage): void {
    this.rpc.request(make, (ok, message) => {
      if (!ok) {
        if (message) this.showBanner('error', message);
        return;
      }
      origin.classList.add('done');
      setTimeout(() => origin.classList.remove('done'), 1200);
    });
  }

  private codeAction(buttonEl: HTMLElement): void {
    // The fence's own source: never the DOM's text, which model HTML could have added to.
    const block = codeOf(buttonEl);
    const action = buttonEl.dataset.codeAction;
    if (!block || (action !== 'copy' && action !== 'insert' && action !== 'apply' && action !== 'newFile')) return;
    this.request(buttonEl, (requestId) => ({
      type: 'codeAction',
      requestId,
      action,
      code: block.code.replace(/\n$/, ''),
      ...(block.language ? { language: block.language } : {}),
    }));
  }

  /** A message from the host (already checked against the protocol's schemas). */
  handle(message: HostMessage): void {
    switch (message.type) {
      case 'init': {
        this.list.conversations = message.conversations;
        this.setModels(message.models, message.model);
        this.composer.setChips(message.chips, message.budget);
        this.setBusy(message.busy);
        this.showConversation(message.conversation);
        const state = this.state();
        if (!this.initialized && state.conversationId === message.conversation.id) {
          if (state.scrollTop !== undefined) {
            this.transcript.scrollTop = state.scrollTop;
            this.list.pinned = false;
          }
          if (state.editOf && this.list.item(state.editOf)) this.composer.setEditing(state.editOf);
        }
        this.initialized = true;
        return;
      }
      case 'conversation':
        this.list.conversations = message.conversations;
        this.composer.setEditing(undefined);
        this.showConversation(message.conversation);
        return;
      case 'conversations':
        return this.list.listChanged(message.conversations);
      case 'messageAdded':
        return this.list.add(message.message);
      case 'messageUpdated':
        return this.list.update(message.message);
      case 'messagesRemoved':
        return this.list.remove(message.ids);
      case 'chunk':
        return this.list.chunk(message.messageId, message.content, message.thinking, !!message.replace, message.done ? (message.end ?? { status: 'done' }) : undefined);
      case 'models':
        return this.setModels(message.models, message.model);
      case 'chips':
        return this.composer.setChips(message.chips, message.budget);
      case 'busy':
        return this.setBusy(message.busy);
      case 'focusInput':
        if (message.draft !== undefined) this.composer.setDraft(message.draft);
        this.input.focus();
        return;
      case 'reply':
        // Tests and older callers hand replies here directly; the rpc matches them to requests.
        return this.rpc.receive(message, () => undefined);
    }
  }

  private showConversation(conversation: ConversationView): void {
    this.title.textContent = conversation.messages.length ? conversation.title : '';
    this.title.title = conversation.title;
    this.list.show(conversation);
  }

  private setBusy(busy: boolean): void {
    this.root.classList.toggle('busy', busy);
    this.composer.setBusy(busy);
  }

  private setModels(models: string[], model: string): void {
    const list = models.includes(model) ? models : [model, ...models];
    this.modelSelect.replaceChildren(...list.map((m) => h(this.doc, 'option', { text: m, attrs: { value: m } })));
    this.modelSelect.value = model;
  }

  private showBanner(level: 'info' | 'warning' | 'error', text: string): void {
    this.banner.className = `banner ${level}`;
    this.banner.replaceChildren(
      icon(this.doc, level === 'info' ? 'info' : level),
      h(this.doc, 'span', { class: 'banner-text', text }),
      button(this.doc, { icon: 'close', label: 'Dismiss', command: 'close-banner' }),
    );
    this.banner.hidden = false;
    if (this.bannerTimer) clearTimeout(this.bannerTimer);
    if (level === 'info') this.bannerTimer = setTimeout(() => (this.banner.hidden = true), 8000);
  }
}
