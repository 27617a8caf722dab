// Code blocks of an answer: built with DOM calls from a fenced block's source text, and the toolbar
// above each (language, Copy, Insert at Cursor, Apply to File, New File).
//
// Only fenced blocks get a toolbar, and the buttons act on the fence's source text as it was lexed,
// never on the DOM's textContent: model HTML cannot add hidden text to what Copy or Insert take
// (the sanitizer drops raw <pre>, <details> and <summary> too, so none can look like a code block).

export const CODE_ACTIONS = [
  { action: 'copy', icon: 'copy', label: 'Copy' },
  { action: 'insert', icon: 'insert', label: 'Insert at Cursor' },
  { action: 'apply', icon: 'diff', label: 'Apply to File…' },
  { action: 'newFile', icon: 'new-file', label: 'New File' },
] as const;

export interface CodeSource {
  code: string;
  language: string;
}

/** The <pre> elements this module built for fenced blocks, with the source they show. */
const fenced = new WeakMap<Element, CodeSource>();

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

/**
 * A <pre><code> for a fenced block: `highlighted` (sanitized highlight.js spans) is what is shown,
 * `source.code` what the toolbar acts on; both come from the same fence text.
 */
export function fencedPre(doc: Document, source: CodeSource, highlighted: Node): { pre: HTMLElement; code: HTMLElement } {
  const pre = doc.createElement('pre');
  const code = doc.createElement('code');
  code.className = source.language ? `hljs language-${source.language}` : 'hljs';
  code.append(highlighted);
  pre.append(code);
  fenced.set(pre, { ...source });
  return { pre, code };
}

/** While a block streams, what it shows grows: so does what its buttons take. */
export function setFencedCode(pre: Element, code: string): void {
  const source = fenced.get(pre);
  if (source) source.code = code;
}

/** Wraps a fenced block's <pre> in a block with a toolbar. */
export function wrapCodeBlock(doc: Document, pre: HTMLElement): HTMLElement {
  const block = doc.createElement('div');
  block.className = 'code-block';
  const bar = doc.createElement('div');
  bar.className = 'code-toolbar';
  const lang = doc.createElement('span');
  lang.className = 'code-lang';
  lang.textContent = fenced.get(pre)?.language ?? codeLanguage(pre.querySelector('code'));
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

/** Adds toolbars to the fenced code blocks under `root` that have none yet (other <pre>s get none). */
export function decorateCodeBlocks(root: ParentNode): void {
  for (const pre of Array.from(root.querySelectorAll('pre'))) {
    if (!fenced.has(pre) || pre.parentElement?.classList.contains('code-block')) continue;
    wrapCodeBlock(pre.ownerDocument, pre as HTMLElement);
  }
}

/** The source of the fenced block a toolbar button belongs to (undefined for anything else). */
export function codeOf(button: Element): CodeSource | undefined {
  const block = button.closest('.code-block');
  const pre = block ? Array.from(block.children).find((c) => c.localName === 'pre') : undefined;
  const source = pre ? fenced.get(pre) : undefined;
  return source ? { ...source } : undefined;
}
