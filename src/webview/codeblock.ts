// The toolbar above each code block: language, Copy, Insert at Cursor, Apply to File, New File.
// Built with DOM calls after sanitizing (the model's output never supplies these elements).

export const CODE_ACTIONS = [
  { action: 'copy', icon: 'copy', label: 'Copy' },
  { action: 'insert', icon: 'insert', label: 'Insert at Cursor' },
  { action: 'apply', icon: 'diff', label: 'Apply to File…' },
  { action: 'newFile', icon: 'new-file', label: 'New File' },
] as const;

export function codeLanguage(code: Element | null): string {
  const cls = Array.from(code?.classList ?? []).find((c) => c.startsWith('language-'));
  return cls ? cls.slice('language-'.length) : '';
}

export function iconButton(doc: Document, icon: string, label: string, extraClass = ''): HTMLButtonElement {
  const button = doc.createElement('button');
  button.type = 'button';
  button.className = `icon-button${extraClass ? ` ${extraClass}` : ''}`;
  button.title = label;
  button.setAttribute('aria-label', label);
  const glyph = doc.createElement('span');
  glyph.className = `codicon codicon-${icon}`;
  glyph.setAttribute('aria-hidden', 'true');
  button.append(glyph);
  return button;
}

/** Wraps a <pre> in a block with a toolbar. */
export function wrapCodeBlock(doc: Document, pre: HTMLElement): HTMLElement {
  const block = doc.createElement('div');
  block.className = 'code-block';
  const bar = doc.createElement('div');
  bar.className = 'code-toolbar';
  const lang = doc.createElement('span');
  lang.className = 'code-lang';
  lang.textContent = codeLanguage(pre.querySelector('code'));
  bar.append(lang);
  for (const { action, icon, label } of CODE_ACTIONS) {
    const button = iconButton(doc, icon, label, 'code-action');
    button.dataset.codeAction = action;
    bar.append(button);
  }
  pre.replaceWith(block);
  block.append(bar, pre);
  return block;
}

/** Adds toolbars to the code blocks under `root` that have none yet. */
export function decorateCodeBlocks(root: ParentNode): void {
  for (const pre of Array.from(root.querySelectorAll('pre'))) {
    if (pre.parentElement?.classList.contains('code-block')) continue;
    wrapCodeBlock(pre.ownerDocument, pre as HTMLElement);
  }
}

/** The code of the block a toolbar button belongs to. */
export function codeOf(button: Element): { code: string; language: string } | undefined {
  const block = button.closest('.code-block');
  const code = block?.querySelector('pre code') ?? block?.querySelector('pre');
  if (!code) return undefined;
  return { code: code.textContent ?? '', language: codeLanguage(block?.querySelector('pre code') ?? null) };
}
