// The composer at the bottom of the page: the context chips, the input with its @-menu, the token
// meter, Send and Stop, and editing the last question. It says what the user wants through
// `post`; it never renders model output.

import type { AttachmentView, BudgetView, ContextSource, WebviewMessage } from '../protocol';
import { button, formatTokens, h, icon } from './dom';
import { MentionMenu } from './mentions';
import { estimateTokens } from '../tokens';

const KIND_ICON: Record<string, string> = { file: 'file-code', selection: 'selection', problems: 'warning', text: 'note' };

/** Tokens of the draft, by the same estimate the host counts everything else with. */
export function draftTokens(text: string): number {
  return estimateTokens(text);
}

export interface ComposerHooks {
  post(message: WebviewMessage): void;
  /** The last question, for Up in an empty input. */
  lastQuestion(): { id: string; content: string } | undefined;
  /** The draft or the edit changed (the page saves its state). */
  changed(): void;
  /** A message was sent (the transcript follows the answer). */
  sent(): void;
}

export class Composer {
  readonly element: HTMLElement;
  readonly input: HTMLTextAreaElement;
  readonly menu: MentionMenu;
  private readonly chips: HTMLElement;
  private readonly budgetEl: HTMLElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly editBanner: HTMLElement;
  private budget: BudgetView = { usedTokens: 0, limitTokens: 0 };
  busy = false;
  /** The question being edited (Enter resends it in its place). */
  editOf: string | undefined;

  constructor(
    private readonly doc: Document,
    private readonly hooks: ComposerHooks,
  ) {
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
    this.menu = new MentionMenu(doc, this.input, (source: ContextSource) => {
      hooks.post({ type: 'addContext', source });
      hooks.changed();
    });
    this.budgetEl = h(doc, 'span', { class: 'budget' });
    this.sendButton = button(doc, { icon: 'send', label: 'Send (Enter)', command: 'send', class: 'icon-button primary send' });
    this.stopButton = button(doc, { icon: 'debug-stop', label: 'Stop (Escape)', command: 'stop', class: 'icon-button stop' });
    this.stopButton.hidden = true;
    this.element = h(doc, 'div', { class: 'composer' }, [
      this.editBanner,
      this.chips,
      this.input,
      this.menu.element,
      h(doc, 'div', { class: 'composer-bar' }, [
        button(doc, { icon: 'mention', label: 'Add context (@)', command: 'mention' }),
        this.budgetEl,
        h(doc, 'span', { class: 'spacer' }),
        this.sendButton,
        this.stopButton,
      ]),
    ]);
  }

  wire(): void {
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('input', () => {
      this.autoSize();
      this.updateBudget();
      this.menu.update();
      this.hooks.changed();
    });
  }

  private onKey(e: KeyboardEvent): void {
    if (this.menu.onKey(e)) return;
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      this.send();
      return;
    }
    if (e.key === 'Escape') {
      if (this.busy) {
        e.preventDefault();
        this.hooks.post({ type: 'stop' });
      } else if (this.editOf) {
        e.preventDefault();
        this.cancelEdit();
      }
      return;
    }
    if (e.key === 'ArrowUp' && !this.input.value && !this.busy) {
      const last = this.hooks.lastQuestion();
      if (last) {
        e.preventDefault();
        this.startEdit(last);
      }
    }
  }

  send(): void {
    if (this.busy) return;
    const text = this.input.value;
    if (!text.trim()) return;
    this.hooks.post(this.editOf ? { type: 'send', text, editOf: this.editOf } : { type: 'send', text });
    this.input.value = '';
    this.setEditing(undefined);
    this.autoSize();
    this.updateBudget();
    this.hooks.sent();
    this.hooks.changed();
  }

  startEdit(question: { id: string; content: string }): void {
    if (this.busy) return;
    this.setEditing(question.id);
    this.input.value = question.content;
    this.autoSize();
    this.input.focus();
    this.input.setSelectionRange(this.input.value.length, this.input.value.length);
    this.updateBudget();
  }

  private cancelEdit(): void {
    this.setEditing(undefined);
    this.input.value = '';
    this.autoSize();
    this.updateBudget();
  }

  /** Shows (or ends) editing a question without touching the draft (a restored page state). */
  setEditing(id: string | undefined): void {
    this.editOf = id;
    this.editBanner.hidden = !id;
  }

  setDraft(text: string): void {
    this.input.value = text;
    this.autoSize();
  }

  /** Grows the input with its content (rows, not inline styles: the CSP allows none). */
  autoSize(): void {
    const lines = this.input.value.split('\n').length;
    this.input.rows = Math.min(12, Math.max(1, lines));
  }

  setBusy(busy: boolean): void {
    this.busy = busy;
    this.sendButton.hidden = busy;
    this.stopButton.hidden = !busy;
  }

  setChips(chips: AttachmentView[], budget: BudgetView): void {
    this.budget = budget;
    this.chips.replaceChildren(...chips.map((c) => this.chip(c)));
    this.chips.hidden = chips.length === 0;
    this.updateBudget();
  }

  private chip(c: AttachmentView): HTMLElement {
    const doc = this.doc;
    const label = c.auto
      ? `${c.label}: ${c.enabled ? 'attached automatically, click to leave it out' : 'not attached, click to attach'}`
      : `${c.label}: click to remove`;
    const disabledByRule = c.auto && !c.enabled && /exclude/.test(c.detail ?? '');
    const chip = h(doc, 'li', { class: `chip${c.auto ? ' auto' : ''}${c.enabled ? '' : ' off'}`, title: [c.detail, c.tokens ? `~${formatTokens(c.tokens)} tokens` : ''].filter(Boolean).join(' · ') }, [
      icon(doc, KIND_ICON[c.kind] ?? 'file'),
      h(doc, 'span', { class: 'chip-label', text: c.label }),
    ]);
    if (!disabledByRule) {
      const toggle = button(doc, {
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
  }

  updateBudget(): void {
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
}
