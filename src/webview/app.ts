// The chat page: transcript, composer, context chips, model picker. No framework, no inline
// scripts or styles; every message from the host goes through handle(), every action to the host
// through post(). The host owns the transcript; the page keeps only the draft and the scroll
// position in the webview state.

import type {
  AttachmentView,
  BudgetView,
  ContextSource,
  ConversationSummary,
  ConversationView,
  HostMessage,
  MessageView,
  WebviewMessage,
} from '../protocol';
import { PROTOCOL_VERSION } from '../protocol';
import { codeOf } from './codeblock';
import { button, formatTokens, h, icon, relativeTime } from './dom';
import { createMarkdownRenderer, type MarkdownRenderer } from './markdown';
import { MessageItem } from './message';

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

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

const MENTIONS: { source: ContextSource; label: string; description: string }[] = [
  { source: 'file', label: '@file', description: 'Attach a workspace file…' },
  { source: 'problems', label: '@problems', description: 'Problems of the current file' },
  { source: 'selection', label: '@selection', description: 'The selected code, as it is now' },
];

const KIND_ICON: Record<string, string> = { file: 'file-code', selection: 'selection', problems: 'warning', text: 'note' };

/** Rough tokens of the draft (the host counts everything else with the shared estimator). */
export function draftTokens(text: string): number {
  return Math.ceil(text.length / 3.5);
}

export class ChatApp {
  private readonly doc: Document;
  private readonly markdown: MarkdownRenderer;
  private readonly requestFrame: (callback: () => void) => void;
  private readonly api: VsCodeApi;

  readonly root: HTMLElement;
  readonly transcript: HTMLElement;
  readonly input: HTMLTextAreaElement;
  private readonly welcome: HTMLElement;
  private readonly chips: HTMLElement;
  private readonly budgetEl: HTMLElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly modelSelect: HTMLSelectElement;
  private readonly banner: HTMLElement;
  private readonly editBanner: HTMLElement;
  private readonly menu: HTMLElement;
  private readonly title: HTMLElement;

  private readonly items = new Map<string, MessageItem>();
  private conversation: ConversationView | undefined;
  private conversations: ConversationSummary[] = [];
  private budget: BudgetView = { usedTokens: 0, limitTokens: 0 };
  private busy = false;
  private editOf: string | undefined;
  private frameScheduled = false;
  private pinned = true;
  private nextRequest = 1;
  private readonly replies = new Map<number, (ok: boolean, message?: string) => void>();
  private menuIndex = 0;
  private stateTimer: ReturnType<typeof setTimeout> | undefined;
  private bannerTimer: ReturnType<typeof setTimeout> | undefined;
  private initialized = false;

  constructor(private readonly options: AppOptions) {
    const w = options.window;
    this.doc = w.document;
    this.api = options.api;
    this.markdown = options.markdown ?? createMarkdownRenderer(w);
    this.requestFrame = options.requestFrame ?? ((cb) => w.requestAnimationFrame(() => cb()));
    const doc = this.doc;

    this.title = h(doc, 'span', { class: 'conversation-title' });
    this.modelSelect = h(doc, 'select', { class: 'model-select', attrs: { 'aria-label': 'Model' } });
    const topbar = h(doc, 'div', { class: 'topbar' }, [
      h(doc, 'label', { class: 'model-picker', title: 'Model for this conversation' }, [icon(doc, 'hubot'), this.modelSelect]),
      this.title,
    ]);

    this.welcome = h(doc, 'div', { class: 'welcome' });
    this.transcript = h(doc, 'div', {
      class: 'transcript',
      attrs: { role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': 'Conversation', tabindex: '0' },
    });

    this.banner = h(doc, 'div', { class: 'banner', attrs: { role: 'status' } });
    this.banner.hidden = true;
    this.editBanner = h(doc, 'div', { class: 'edit-banner' }, [
      icon(doc, 'edit'),
      h(doc, 'span', { text: 'Editing your last message. Enter resends it, Esc cancels.' }),
    ]);
    this.editBanner.hidden = true;

    this.chips = h(doc, 'ul', { class: 'chips', attrs: { 'aria-label': 'Context for the next message' } });
    this.input = h(doc, 'textarea', {
      class: 'input',
      attrs: {
        rows: '1',
        placeholder: 'Ask about your code (@ adds context)',
        'aria-label': 'Message to Qwen. Enter sends, Shift+Enter adds a line, Escape stops, Up edits your last message.',
      },
    });
    this.menu = h(doc, 'ul', { class: 'mention-menu', attrs: { role: 'listbox', 'aria-label': 'Add context' } });
    this.menu.hidden = true;
    this.budgetEl = h(doc, 'span', { class: 'budget' });
    this.sendButton = button(doc, { icon: 'send', label: 'Send (Enter)', command: 'send', class: 'icon-button primary send' });
    this.stopButton = button(doc, { icon: 'debug-stop', label: 'Stop (Escape)', command: 'stop', class: 'icon-button stop' });
    this.stopButton.hidden = true;
    const composer = h(doc, 'div', { class: 'composer' }, [
      this.editBanner,
      this.chips,
      this.input,
      this.menu,
      h(doc, 'div', { class: 'composer-bar' }, [
        button(doc, { icon: 'mention', label: 'Add context (@)', command: 'mention' }),
        this.budgetEl,
        h(doc, 'span', { class: 'spacer' }),
        this.sendButton,
        this.stopButton,
      ]),
    ]);

    this.root = h(doc, 'div', { class: 'chat' }, [topbar, this.transcript, this.banner, composer]);
    this.transcript.append(this.welcome);
  }

  /** Puts the page into the document, wires the events and tells the host it is ready. */
  start(container: HTMLElement = this.doc.body): void {
    container.replaceChildren(this.root);
    const state = this.state();
    if (state.draft) this.input.value = state.draft;
    this.autoSize();
    this.wire();
    this.options.window.addEventListener('message', (event: MessageEvent) => this.handle(event.data as HostMessage));
    this.post({ type: 'ready', protocol: PROTOCOL_VERSION });
  }

  private post(message: WebviewMessage): void {
    this.api.postMessage(message);
  }

  private state(): PageState {
    const s = this.api.getState();
    return typeof s === 'object' && s !== null ? (s as PageState) : {};
  }

  private saveState(): void {
    if (this.stateTimer) return;
    this.stateTimer = setTimeout(() => {
      this.stateTimer = undefined;
      const state: PageState = { draft: this.input.value, scrollTop: this.transcript.scrollTop, conversationId: this.conversation?.id };
      if (this.editOf) state.editOf = this.editOf;
      this.api.setState(state);
    }, 200);
  }

  // ---- Events ----

  private wire(): void {
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('input', () => {
      this.autoSize();
      this.updateBudget();
      this.updateMenu();
      this.saveState();
    });
    this.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.busy && e.target !== this.input) {
        e.preventDefault();
        this.post({ type: 'stop' });
      }
    });
    this.transcript.addEventListener('scroll', () => {
      const t = this.transcript;
      this.pinned = t.scrollTop + t.clientHeight >= t.scrollHeight - 24;
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

  private onKey(e: KeyboardEvent): void {
    if (!this.menu.hidden) {
      const items = this.menuItems();
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        this.menuIndex = (this.menuIndex + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % Math.max(1, items.length);
        this.renderMenu(items);
        return;
      }
      if ((e.key === 'Enter' || e.key === 'Tab') && items.length > 0) {
        e.preventDefault();
        this.pickMention(items[this.menuIndex]?.source ?? items[0].source);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        this.closeMenu();
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      this.send();
      return;
    }
    if (e.key === 'Escape') {
      if (this.busy) {
        e.preventDefault();
        this.post({ type: 'stop' });
      } else if (this.editOf) {
        e.preventDefault();
        this.cancelEdit();
      }
      return;
    }
    if (e.key === 'ArrowUp' && !this.input.value && !this.busy) {
      const last = this.lastUserMessage();
      if (last) {
        e.preventDefault();
        this.startEdit(last);
      }
    }
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
    const commandEl = target.closest('[data-command]') as HTMLElement | null;
    if (!commandEl) return;
    const article = commandEl.closest('article.message') as HTMLElement | null;
    const id = article?.dataset.id;
    switch (commandEl.dataset.command) {
      case 'send':
        this.send();
        break;
      case 'stop':
        this.post({ type: 'stop' });
        break;
      case 'mention':
        this.openMenu();
        break;
      case 'regenerate':
        this.post({ type: 'regenerate' });
        break;
      case 'retry':
        this.post({ type: 'retry' });
        break;
      case 'continue':
        this.post({ type: 'continue' });
        break;
      case 'pull':
        if (commandEl.dataset.model) this.post({ type: 'pullModel', model: commandEl.dataset.model });
        break;
      case 'copy-message':
        if (id) this.request(commandEl, (requestId) => ({ type: 'copyMessage', requestId, messageId: id }));
        break;
      case 'edit': {
        const item = id ? this.items.get(id) : undefined;
        if (item) this.startEdit(item);
        break;
      }
      case 'chip':
        if (commandEl.dataset.id) this.post({ type: 'toggleChip', id: commandEl.dataset.id });
        break;
      case 'mention-pick':
        if (commandEl.dataset.source) this.pickMention(commandEl.dataset.source as ContextSource);
        break;
      case 'open-conversation':
        if (commandEl.dataset.id) this.post({ type: 'switchConversation', id: commandEl.dataset.id });
        break;
      case 'rename-conversation':
        if (commandEl.dataset.id) this.post({ type: 'renameConversation', id: commandEl.dataset.id });
        break;
      case 'delete-conversation':
        if (commandEl.dataset.id) this.post({ type: 'deleteConversation', id: commandEl.dataset.id });
        break;
      case 'all-conversations':
        this.post({ type: 'showHistory' });
        break;
      case 'close-banner':
        this.banner.hidden = true;
        break;
    }
  }

  /** Posts a request and shows its outcome on the button that made it. */
  private request(origin: HTMLElement, make: (requestId: number) => WebviewMessage): void {
    const requestId = this.nextRequest++;
    this.replies.set(requestId, (ok, message) => {
      if (!ok) {
        if (message) this.showBanner('error', message);
        return;
      }
      origin.classList.add('done');
      setTimeout(() => origin.classList.remove('done'), 1200);
    });
    this.post(make(requestId));
  }

  private codeAction(buttonEl: HTMLElement): void {
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

  private send(): void {
    if (this.busy) return;
    const text = this.input.value;
    if (!text.trim()) return;
    this.post(this.editOf ? { type: 'send', text, editOf: this.editOf } : { type: 'send', text });
    this.input.value = '';
    this.editOf = undefined;
    this.editBanner.hidden = true;
    this.pinned = true;
    this.autoSize();
    this.updateBudget();
    this.saveState();
  }

  private lastUserMessage(): MessageItem | undefined {
    const users = Array.from(this.items.values()).filter((i) => i.view.role === 'user');
    return users[users.length - 1];
  }

  private startEdit(item: MessageItem): void {
    if (this.busy) return;
    this.editOf = item.id;
    this.input.value = item.view.content;
    this.editBanner.hidden = false;
    this.autoSize();
    this.input.focus();
    this.input.setSelectionRange(this.input.value.length, this.input.value.length);
    this.updateBudget();
  }

  private cancelEdit(): void {
    this.editOf = undefined;
    this.editBanner.hidden = true;
    this.input.value = '';
    this.autoSize();
    this.updateBudget();
  }

  /** Grows the input with its content (rows, not inline styles: the CSP allows none). */
  private autoSize(): void {
    const lines = this.input.value.split('\n').length;
    this.input.rows = Math.min(12, Math.max(1, lines));
  }

  // ---- @ mentions ----

  private mentionQuery(): string | undefined {
    const caret = this.input.selectionStart ?? this.input.value.length;
    const before = this.input.value.slice(0, caret);
    const m = /(^|\s)@([a-z]*)$/i.exec(before);
    return m ? m[2].toLowerCase() : undefined;
  }

  private menuItems(): typeof MENTIONS {
    const q = this.mentionQuery() ?? '';
    return MENTIONS.filter((m) => m.label.slice(1).startsWith(q));
  }

  private updateMenu(): void {
    const q = this.mentionQuery();
    if (q === undefined) {
      this.closeMenu();
      return;
    }
    this.menuIndex = 0;
    this.renderMenu(this.menuItems());
  }

  private openMenu(): void {
    this.menuIndex = 0;
    this.renderMenu(MENTIONS);
    this.input.focus();
  }

  private closeMenu(): void {
    this.menu.hidden = true;
    this.input.removeAttribute('aria-activedescendant');
  }

  private renderMenu(items: typeof MENTIONS): void {
    if (items.length === 0) {
      this.closeMenu();
      return;
    }
    this.menu.replaceChildren(
      ...items.map((m, i) =>
        h(this.doc, 'li', {
          class: `mention-item${i === this.menuIndex ? ' active' : ''}`,
          attrs: { role: 'option', id: `mention-${m.source}`, 'aria-selected': String(i === this.menuIndex) },
          data: { command: 'mention-pick', source: m.source },
        }, [h(this.doc, 'span', { class: 'mention-label', text: m.label }), h(this.doc, 'span', { class: 'mention-description', text: m.description })]),
      ),
    );
    this.menu.hidden = false;
    this.input.setAttribute('aria-activedescendant', `mention-${items[this.menuIndex]?.source ?? items[0].source}`);
  }

  private pickMention(source: ContextSource): void {
    // Remove the typed "@…" and ask the host for the context.
    const caret = this.input.selectionStart ?? this.input.value.length;
    const before = this.input.value.slice(0, caret).replace(/(^|\s)@[a-z]*$/i, '$1');
    this.input.value = before + this.input.value.slice(caret);
    this.input.setSelectionRange(before.length, before.length);
    this.closeMenu();
    this.post({ type: 'addContext', source });
    this.saveState();
  }

  // ---- Host messages ----

  handle(message: HostMessage): void {
    if (!message || typeof message !== 'object') return;
    switch (message.type) {
      case 'init': {
        this.conversations = message.conversations;
        this.setModels(message.models, message.model);
        this.setChips(message.chips, message.budget);
        this.setBusy(message.busy);
        this.showConversation(message.conversation);
        const state = this.state();
        if (!this.initialized && state.conversationId === message.conversation.id) {
          if (state.scrollTop !== undefined) {
            this.transcript.scrollTop = state.scrollTop;
            this.pinned = false;
          }
          const edited = state.editOf ? this.items.get(state.editOf) : undefined;
          if (edited) {
            this.editOf = edited.id;
            this.editBanner.hidden = false;
          }
        }
        this.initialized = true;
        return;
      }
      case 'conversation':
        this.conversations = message.conversations;
        this.editOf = undefined;
        this.editBanner.hidden = true;
        this.showConversation(message.conversation);
        return;
      case 'conversations':
        this.conversations = message.conversations;
        if (this.items.size === 0) this.renderWelcome();
        return;
      case 'messageAdded':
        this.addMessage(message.message);
        return;
      case 'messageUpdated':
        this.items.get(message.message.id)?.update(message.message);
        this.scheduleFrame();
        return;
      case 'messagesRemoved':
        for (const id of message.ids) {
          this.items.get(id)?.root.remove();
          this.items.delete(id);
        }
        this.markLast();
        if (this.items.size === 0) this.renderWelcome();
        return;
      case 'chunk': {
        const item = this.items.get(message.messageId);
        if (!item) return;
        if (message.content || message.thinking !== undefined || message.replace) {
          item.appendChunk(message.content, message.thinking, !!message.replace);
        }
        if (message.done) {
          item.end(message.end ?? { status: 'done' });
          this.scrollIfPinned();
        } else this.scheduleFrame();
        return;
      }
      case 'models':
        this.setModels(message.models, message.model);
        return;
      case 'chips':
        this.setChips(message.chips, message.budget);
        return;
      case 'busy':
        this.setBusy(message.busy);
        return;
      case 'focusInput':
        if (message.draft !== undefined) {
          this.input.value = message.draft;
          this.autoSize();
        }
        this.input.focus();
        return;
      case 'notice':
        this.showBanner(message.level, message.text);
        return;
      case 'reply': {
        const reply = this.replies.get(message.requestId);
        this.replies.delete(message.requestId);
        reply?.(message.ok, message.message);
        return;
      }
    }
  }

  private showConversation(conversation: ConversationView): void {
    this.conversation = conversation;
    this.title.textContent = conversation.messages.length ? conversation.title : '';
    this.title.title = conversation.title;
    for (const item of this.items.values()) item.root.remove();
    this.items.clear();
    for (const m of conversation.messages) this.addMessage(m, false);
    this.markLast();
    if (this.items.size === 0) this.renderWelcome();
    this.pinned = true;
    this.scrollIfPinned();
  }

  private addMessage(view: MessageView, scroll = true): void {
    this.welcome.hidden = true;
    const item = this.messageItem(view);
    this.items.set(view.id, item);
    this.transcript.append(item.root);
    if (this.conversation && !this.conversation.messages.some((m) => m.id === view.id)) {
      this.conversation.messages.push(view);
      if (view.role === 'user' && this.conversation.messages.length === 1) this.title.textContent = this.conversation.title;
    }
    this.markLast();
    if (scroll) {
      if (view.role === 'user') this.pinned = true;
      this.scrollIfPinned();
    }
  }

  /** One message that cannot be rendered must not break the conversation: it is shown as plain text. */
  private messageItem(view: MessageView): MessageItem {
    try {
      return new MessageItem(this.doc, this.markdown, view);
    } catch {
      return new MessageItem(this.doc, this.markdown, { ...view, content: '', thinking: '' }, view.content);
    }
  }

  /** Only the last answer can be regenerated and only the last question edited. */
  private markLast(): void {
    const items = Array.from(this.items.values());
    const lastUser = [...items].reverse().find((i) => i.view.role === 'user');
    const lastAssistant = [...items].reverse().find((i) => i.view.role === 'assistant');
    for (const i of items) i.root.classList.toggle('is-last', i === lastUser || i === lastAssistant);
  }

  private scheduleFrame(): void {
    if (this.frameScheduled) return;
    this.frameScheduled = true;
    this.requestFrame(() => {
      this.frameScheduled = false;
      for (const item of this.items.values()) if (item.needsFlush) item.flush(false);
      this.scrollIfPinned();
    });
  }

  private scrollIfPinned(): void {
    if (this.pinned) this.transcript.scrollTop = this.transcript.scrollHeight;
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.root.classList.toggle('busy', busy);
    this.sendButton.hidden = busy;
    this.stopButton.hidden = !busy;
  }

  private setModels(models: string[], model: string): void {
    const list = models.includes(model) ? models : [model, ...models];
    this.modelSelect.replaceChildren(...list.map((m) => h(this.doc, 'option', { text: m, attrs: { value: m } })));
    this.modelSelect.value = model;
  }

  private setChips(chips: AttachmentView[], budget: BudgetView): void {
    this.budget = budget;
    this.chips.replaceChildren(
      ...chips.map((c) => {
        const label = c.auto
          ? `${c.label}: ${c.enabled ? 'attached automatically, click to leave it out' : 'not attached, click to attach'}`
          : `${c.label}: click to remove`;
        const disabledByRule = c.auto && !c.enabled && /exclude/.test(c.detail ?? '');
        const chip = h(this.doc, 'li', { class: `chip${c.auto ? ' auto' : ''}${c.enabled ? '' : ' off'}`, title: [c.detail, c.tokens ? `~${formatTokens(c.tokens)} tokens` : ''].filter(Boolean).join(' · ') }, [
          icon(this.doc, KIND_ICON[c.kind] ?? 'file'),
          h(this.doc, 'span', { class: 'chip-label', text: c.label }),
        ]);
        if (!disabledByRule) {
          const toggle = button(this.doc, {
            icon: c.auto ? (c.enabled ? 'eye' : 'eye-closed') : 'close',
            label,
            command: 'chip',
            class: 'icon-button chip-toggle',
            data: { id: c.id },
          });
          if (c.auto) toggle.setAttribute('aria-pressed', String(c.enabled));
          chip.append(toggle);
        }
        return chip;
      }),
    );
    this.chips.hidden = chips.length === 0;
    this.updateBudget();
  }

  private updateBudget(): void {
    const { usedTokens, limitTokens } = this.budget;
    if (!limitTokens) {
      this.budgetEl.textContent = '';
      return;
    }
    const used = usedTokens + draftTokens(this.input.value);
    this.budgetEl.textContent = `~${formatTokens(used)} / ${formatTokens(limitTokens)} tokens`;
    const over = used > limitTokens;
    this.budgetEl.classList.toggle('over', over);
    this.budgetEl.title = over
      ? 'More than the model can read at once: the oldest messages and the largest attachments will be left out.'
      : 'Estimated tokens sent with the next message (history, context and your text) out of what the model reads at once.';
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

  private renderWelcome(): void {
    const doc = this.doc;
    const recent = this.conversations.filter((c) => c.id !== this.conversation?.id && c.messageCount > 0).slice(0, 5);
    this.welcome.replaceChildren(
      h(doc, 'h2', { text: 'Ask Qwen about your code' }),
      h(doc, 'p', { class: 'welcome-lead', text: 'Answers come from a model running on this machine through Ollama. Nothing leaves it.' }),
      h(doc, 'ul', { class: 'welcome-hints' }, [
        h(doc, 'li', { text: 'The current file and selection are attached; click a chip to leave it out.' }),
        h(doc, 'li', { text: 'Type @ to attach another file or the problems of this one.' }),
        h(doc, 'li', { text: 'Enter sends, Shift+Enter adds a line, Escape stops, Up edits your last message.' }),
      ]),
      ...(recent.length
        ? [
            h(doc, 'h3', { text: 'Recent conversations' }),
            h(doc, 'ul', { class: 'recent' }, recent.map((c) =>
              h(doc, 'li', { class: 'recent-item' }, [
                h(doc, 'button', {
                  class: 'recent-open',
                  title: `Open "${c.title}"`,
                  attrs: { type: 'button' },
                  data: { command: 'open-conversation', id: c.id },
                }, [icon(doc, 'comment-discussion'), h(doc, 'span', { class: 'recent-title', text: c.title }), h(doc, 'span', { class: 'recent-time', text: relativeTime(c.updatedAt) })]),
                button(doc, { icon: 'edit', label: `Rename "${c.title}"`, command: 'rename-conversation', data: { id: c.id } }),
                button(doc, { icon: 'trash', label: `Delete "${c.title}"`, command: 'delete-conversation', data: { id: c.id } }),
              ]),
            )),
            button(doc, { icon: 'history', label: 'All conversations…', command: 'all-conversations', showLabel: true }),
          ]
        : []),
    );
    this.welcome.hidden = false;
    if (!this.welcome.isConnected) this.transcript.prepend(this.welcome);
  }
}
