// The @-menu under the input: @file, @problems, @selection, @codebase. Typing "@" opens it, arrows move,
// Enter or Tab picks, Escape closes; picking removes the typed "@…" and asks the host for the context.

import type { ContextSource } from '../protocol';
import { h } from './dom';

const MENTIONS: { source: ContextSource; label: string; description: string }[] = [
  { source: 'file', label: '@file', description: 'Attach a workspace file…' },
  { source: 'problems', label: '@problems', description: 'Problems of the current file' },
  { source: 'selection', label: '@selection', description: 'The selected code, as it is now' },
  { source: 'codebase', label: '@codebase', description: 'The best matching code from the whole workspace' },
];

export class MentionMenu {
  readonly element: HTMLElement;
  private index = 0;

  constructor(
    private readonly doc: Document,
    private readonly input: HTMLTextAreaElement,
    private readonly picked: (source: ContextSource) => void,
  ) {
    this.element = h(doc, 'ul', { class: 'mention-menu', attrs: { role: 'listbox', 'aria-label': 'Add context' } });
    this.element.hidden = true;
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  /** Handles a key while the menu is open; true when it used the key. */
  onKey(e: KeyboardEvent): boolean {
    if (!this.isOpen) return false;
    const items = this.items();
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      this.index = (this.index + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % Math.max(1, items.length);
      this.render(items);
      return true;
    }
    if ((e.key === 'Enter' || e.key === 'Tab') && items.length > 0) {
      e.preventDefault();
      this.pick(items[this.index]?.source ?? items[0].source);
      return true;
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      this.close();
      return true;
    }
    return false;
  }

  /** After each edit of the input: open, filter or close the menu. */
  update(): void {
    if (this.query() === undefined) {
      this.close();
      return;
    }
    this.index = 0;
    this.render(this.items());
  }

  open(): void {
    this.index = 0;
    this.render(MENTIONS);
    this.input.focus();
  }

  close(): void {
    this.element.hidden = true;
    this.input.removeAttribute('aria-activedescendant');
  }

  pick(source: ContextSource): void {
    const caret = this.input.selectionStart ?? this.input.value.length;
    const before = this.input.value.slice(0, caret).replace(/(^|\s)@[a-z]*$/i, '$1');
    this.input.value = before + this.input.value.slice(caret);
    this.input.setSelectionRange(before.length, before.length);
    this.close();
    this.picked(source);
  }

  private query(): string | undefined {
    const caret = this.input.selectionStart ?? this.input.value.length;
    const m = /(^|\s)@([a-z]*)$/i.exec(this.input.value.slice(0, caret));
    return m ? m[2].toLowerCase() : undefined;
  }

  private items(): typeof MENTIONS {
    const q = this.query() ?? '';
    return MENTIONS.filter((m) => m.label.slice(1).startsWith(q));
  }

  private render(items: typeof MENTIONS): void {
    if (items.length === 0) {
      this.close();
      return;
    }
    this.element.replaceChildren(
      ...items.map((m, i) =>
        h(this.doc, 'li', {
          class: `mention-item${i === this.index ? ' active' : ''}`,
          attrs: { role: 'option', id: `mention-${m.source}`, 'aria-selected': String(i === this.index) },
          data: { command: 'mention-pick', source: m.source },
        }, [h(this.doc, 'span', { class: 'mention-label', text: m.label }), h(this.doc, 'span', { class: 'mention-description', text: m.description })]),
      ),
    );
    this.element.hidden = false;
    this.input.setAttribute('aria-activedescendant', `mention-${items[this.index]?.source ?? items[0].source}`);
  }
}
