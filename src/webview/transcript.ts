// The transcript: one MessageItem per message, the welcome screen when there are none, streamed
// chunks rendered at most once per frame, and scrolling that follows the answer unless the user
// scrolled up. A message that cannot be rendered is shown as plain text; the others are unaffected.

import type { ChunkEnd, ConversationSummary, ConversationView, MessageView } from '../protocol';
import { button, h, icon, relativeTime } from './dom';
import type { MarkdownRenderer } from './markdown';
import { MessageItem } from './message';

export class Transcript {
  readonly element: HTMLElement;
  private readonly welcome: HTMLElement;
  private readonly items = new Map<string, MessageItem>();
  conversation: ConversationView | undefined;
  conversations: ConversationSummary[] = [];
  /** Follow the newest text (false once the user scrolls up). */
  pinned = true;
  private frameScheduled = false;

  constructor(
    private readonly doc: Document,
    private readonly markdown: MarkdownRenderer,
    private readonly requestFrame: (callback: () => void) => void,
    /** The conversation title changed (the first question of a new chat). */
    private readonly titled: (title: string) => void,
  ) {
    this.welcome = h(doc, 'div', { class: 'welcome' });
    this.element = h(doc, 'div', {
      class: 'transcript',
      attrs: { role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': 'Conversation', tabindex: '0' },
    });
    this.element.append(this.welcome);
  }

  get size(): number {
    return this.items.size;
  }

  item(id: string): MessageItem | undefined {
    return this.items.get(id);
  }

  lastQuestion(): MessageItem | undefined {
    const users = Array.from(this.items.values()).filter((i) => i.view.role === 'user');
    return users[users.length - 1];
  }

  show(conversation: ConversationView): void {
    this.conversation = conversation;
    for (const item of this.items.values()) item.root.remove();
    this.items.clear();
    for (const m of conversation.messages) this.add(m, false);
    this.markLast();
    if (this.items.size === 0) this.renderWelcome();
    this.pinned = true;
    this.scrollIfPinned();
  }

  add(view: MessageView, scroll = true): void {
    this.welcome.hidden = true;
    const item = this.messageItem(view);
    this.items.set(view.id, item);
    this.element.append(item.root);
    if (this.conversation && !this.conversation.messages.some((m) => m.id === view.id)) {
      this.conversation.messages.push(view);
      if (view.role === 'user' && this.conversation.messages.length === 1) this.titled(this.conversation.title);
    }
    this.markLast();
    if (scroll) {
      if (view.role === 'user') this.pinned = true;
      this.scrollIfPinned();
    }
  }

  update(view: MessageView): void {
    this.items.get(view.id)?.update(view);
    this.scheduleFrame();
  }

  remove(ids: string[]): void {
    for (const id of ids) {
      this.items.get(id)?.root.remove();
      this.items.delete(id);
    }
    this.markLast();
    if (this.items.size === 0) this.renderWelcome();
  }

  chunk(messageId: string, content: string, thinking: string | undefined, replace: boolean, end: ChunkEnd | undefined): void {
    const item = this.items.get(messageId);
    if (!item) return;
    if (content || thinking !== undefined || replace) item.appendChunk(content, thinking, replace);
    if (end) {
      item.end(end);
      this.scrollIfPinned();
    } else this.scheduleFrame();
  }

  listChanged(conversations: ConversationSummary[]): void {
    this.conversations = conversations;
    if (this.items.size === 0) this.renderWelcome();
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

  scrollIfPinned(): void {
    if (this.pinned) this.element.scrollTop = this.element.scrollHeight;
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
    if (!this.welcome.isConnected) this.element.prepend(this.welcome);
  }
}
