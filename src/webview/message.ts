// One message of the transcript: header, context chips, folded thinking, the answer, its status.

import type { ChunkEnd, MessageView } from '../protocol';
import { button, h, icon } from './dom';
import type { MarkdownRenderer } from './markdown';
import { StreamingMarkdown } from './stream';

const KIND_ICON: Record<string, string> = { file: 'file-code', selection: 'selection', problems: 'warning', text: 'note' };

export class MessageItem {
  readonly root: HTMLElement;
  private readonly body: StreamingMarkdown;
  private thinking: { details: HTMLDetailsElement; summary: HTMLElement; stream: StreamingMarkdown } | undefined;
  private readonly notice: HTMLElement;
  private readonly status: HTMLElement;
  private readonly footer: HTMLElement;
  private readonly modelLabel: HTMLElement;
  view: MessageView;

  constructor(
    private readonly doc: Document,
    private readonly markdown: MarkdownRenderer,
    view: MessageView,
    /** Shown as plain text instead of rendering `view.content` (after that failed). */
    plainContent?: string,
  ) {
    this.view = { ...view };
    const isUser = view.role === 'user';
    this.body = new StreamingMarkdown(doc, markdown, 'markdown message-body');
    this.notice = h(doc, 'div', { class: 'message-notice', attrs: { role: 'note' } });
    this.status = h(doc, 'div', { class: 'message-status' });
    this.footer = h(doc, 'div', { class: 'message-footer' });
    this.modelLabel = h(doc, 'span', { class: 'message-model' });
    const actions = h(doc, 'div', { class: 'message-actions' }, isUser
      ? [button(doc, { icon: 'edit', label: 'Edit and resend (Up arrow in an empty input)', command: 'edit', class: 'icon-button edit-action' })]
      : [
          button(doc, { icon: 'copy', label: 'Copy answer', command: 'copy-message' }),
          button(doc, { icon: 'refresh', label: 'Regenerate', command: 'regenerate', class: 'icon-button regenerate-action' }),
        ]);
    const header = h(doc, 'header', { class: 'message-header' }, [
      icon(doc, isUser ? 'account' : 'hubot'),
      h(doc, 'span', { class: 'message-author', text: isUser ? 'You' : 'Qwen' }),
      this.modelLabel,
      actions,
    ]);
    this.root = h(doc, 'article', {
      class: `message ${view.role}`,
      data: { id: view.id },
      attrs: { 'aria-label': isUser ? 'Your message' : 'Answer from Qwen' },
    }, [header]);
    if (isUser && view.attachments?.length) {
      const list = h(doc, 'ul', { class: 'message-context', attrs: { 'aria-label': 'Context sent with this message' } });
      for (const a of view.attachments) {
        const parts = [icon(doc, KIND_ICON[a.kind] ?? 'file'), h(doc, 'span', { text: a.label })];
        // A chip with a place (a file, a @codebase chunk) is a link: the page's link handler asks the host to open it.
        const content = a.open ? [h(doc, 'a', { class: 'chip-open', attrs: { href: a.open, 'aria-label': `Open ${a.detail ?? a.label}` } }, parts)] : parts;
        list.append(h(doc, 'li', { class: 'chip static', title: a.detail ?? a.label }, content));
      }
      this.root.append(list);
    }
    this.root.append(this.notice);
    if (!isUser) this.ensureThinking();
    this.root.append(this.body.element, this.status, this.footer);
    this.body.setText(view.content);
    if (view.thinking) this.thinking?.stream.setText(view.thinking);
    this.render(view.status !== 'streaming');
    if (plainContent !== undefined) {
      this.view.content = plainContent;
      this.body.setText(plainContent);
      this.body.showPlain();
    }
  }

  get id(): string {
    return this.view.id;
  }

  get needsFlush(): boolean {
    return this.body.needsFlush || !!this.thinking?.stream.needsFlush;
  }

  private ensureThinking(): void {
    const summary = h(this.doc, 'summary', { text: 'Thinking…' });
    const stream = new StreamingMarkdown(this.doc, this.markdown, 'markdown thinking-body');
    const details = h(this.doc, 'details', { class: 'thinking' }, [summary, stream.element]);
    this.thinking = { details, summary, stream };
    this.root.append(details);
  }

  /** Appends (or replaces) streamed text; rendering waits for flush(). */
  appendChunk(content: string, thinking: string | undefined, replace: boolean): void {
    if (replace) {
      this.view.content = content;
      this.body.setText(content);
      if (thinking !== undefined) {
        this.view.thinking = thinking;
        this.thinking?.stream.setText(thinking);
      }
    } else {
      this.view.content += content;
      this.body.append(content);
      if (thinking) {
        this.view.thinking = (this.view.thinking ?? '') + thinking;
        this.thinking?.stream.append(thinking);
      }
    }
    // Per chunk only what can change while streaming; the status and footer change at the end.
    const v = this.view;
    this.root.classList.toggle('waiting', !v.content && !v.thinking);
    if (this.thinking) {
      this.thinking.details.hidden = !v.thinking;
      this.thinking.summary.textContent = v.content ? 'Thought process' : 'Thinking…';
    }
  }

  end(end: ChunkEnd): void {
    this.view.status = end.status;
    if (end.error) this.view.error = end.error;
    else delete this.view.error;
    if (end.stats) this.view.stats = end.stats;
    this.render(true);
  }

  update(view: MessageView): void {
    const contentChanged = view.content !== this.view.content;
    const thinkingChanged = (view.thinking ?? '') !== (this.view.thinking ?? '');
    this.view = { ...view };
    if (contentChanged) this.body.setText(view.content);
    if (thinkingChanged) this.thinking?.stream.setText(view.thinking ?? '');
    this.render(view.status !== 'streaming');
  }

  /** Renders pending text. `final`: nothing more will come. A text that cannot render is shown plain. */
  flush(final = false): void {
    if (this.body.needsFlush || final) flushOrPlain(this.body, final);
    if (this.thinking && (this.thinking.stream.needsFlush || final)) flushOrPlain(this.thinking.stream, final);
  }

  private render(final: boolean): void {
    this.flush(final);
    this.renderChrome();
  }

  private renderChrome(): void {
    const v = this.view;
    const streaming = v.status === 'streaming';
    this.root.classList.toggle('streaming', streaming);
    this.root.classList.toggle('waiting', streaming && !v.content && !v.thinking);
    this.root.setAttribute('aria-busy', streaming ? 'true' : 'false');
    this.modelLabel.textContent = v.role === 'assistant' && v.model ? v.model : '';
    this.notice.replaceChildren(...(v.notice ? [icon(this.doc, 'info'), h(this.doc, 'span', { text: v.notice })] : []));
    this.notice.hidden = !v.notice;
    if (this.thinking) {
      const has = !!v.thinking;
      this.thinking.details.hidden = !has;
      const open = streaming && !v.content;
      this.thinking.summary.textContent = open ? 'Thinking…' : 'Thought process';
    }
    this.renderStatus();
    this.renderFooter();
  }

  private renderStatus(): void {
    const v = this.view;
    const doc = this.doc;
    const parts: Node[] = [];
    if (v.status === 'stopped') parts.push(h(doc, 'span', { class: 'status-text', text: 'Stopped.' }));
    if (v.status === 'length') {
      parts.push(
        h(doc, 'span', { class: 'status-text', text: 'The answer reached the length limit.' }),
        button(doc, { icon: 'debug-continue', label: 'Continue', command: 'continue', showLabel: true }),
      );
    }
    if (v.status === 'error' && v.error) {
      parts.push(icon(doc, 'error'), h(doc, 'span', { class: 'status-text error-text', text: v.error.message, attrs: { role: 'alert' } }));
      if (v.error.pullModel) {
        parts.push(button(doc, { icon: 'cloud-download', label: `Pull ${v.error.pullModel}`, command: 'pull', showLabel: true, data: { model: v.error.pullModel } }));
      }
      parts.push(button(doc, { icon: 'refresh', label: 'Retry', command: 'retry', showLabel: true }));
    }
    this.status.replaceChildren(...parts);
    this.status.hidden = parts.length === 0;
    this.root.classList.toggle('failed', v.status === 'error');
  }

  private renderFooter(): void {
    const s = this.view.stats;
    const bits: string[] = [];
    if (s?.tokens !== undefined) bits.push(`${s.tokens.toLocaleString('en-US')} tokens`);
    if (s?.tokensPerSecond) bits.push(`${s.tokensPerSecond} tokens/s`);
    if (s?.seconds) bits.push(`${s.seconds} s`);
    this.footer.textContent = bits.join(' · ');
    this.footer.hidden = bits.length === 0 || this.view.status === 'streaming';
  }
}

function flushOrPlain(stream: StreamingMarkdown, final: boolean): void {
  try {
    stream.flush(final);
  } catch {
    stream.showPlain();
  }
}
