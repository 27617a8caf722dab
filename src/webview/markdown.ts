// Markdown → sanitized DOM: marked (GFM) for the structure, highlight.js for code, the sanitizer
// for everything. Model output never reaches the DOM any other way.
//
// Fenced code blocks do not go through the model's HTML at all: the renderer leaves a placeholder
// (named by a per-page random key the model cannot know), and after sanitizing, each placeholder is
// replaced by a <pre> built with DOM calls from the fence's source (see codeblock.ts).
// Deeply nested input (thousands of ">" or list markers) would overflow marked's recursion: nesting
// is capped before lexing, and anything that still fails renders as plain text, never throws.

import { Marked, type Token, type TokensList } from 'marked';
import { fencedPre } from './codeblock';
import { escapeHtml, fenceLanguage, highlightCode } from './highlight';
import { createSanitizer, type Sanitizer } from './sanitize';

export interface MarkdownRenderer {
  /** Top-level tokens of `text` (CRLF already normalized by the caller). Never throws. */
  lex(text: string): TokensList;
  /** Sanitized nodes for some top-level tokens of a lexed text. Never throws. */
  renderTokens(tokens: Token[], links: TokensList['links']): DocumentFragment;
  /** Sanitized nodes for a whole text. */
  render(text: string): DocumentFragment;
  /** Sanitized highlighted nodes for a piece of code (streaming code blocks). */
  highlight(code: string, lang: string): DocumentFragment;
  readonly sanitizer: Sanitizer;
}

/** Deepest block quote or list nesting rendered as such; deeper markers stay as text. */
export const MAX_NESTING = 16;

const NESTED_LINE = new RegExp(`^((?:[ \\t]*(?:>|[-*+](?=[ \\t])|\\d{1,9}[.)](?=[ \\t]))){${MAX_NESTING}})(.*)$`);

/** Escapes the block markers of a line beyond MAX_NESTING, so the lexer cannot recurse without end. */
export function capNesting(text: string): string {
  if (!/(?:[>*+-][ \t]*){16}/.test(text) && !/(?:\d[.)][ \t]+){16}/.test(text)) return text;
  return text
    .split('\n')
    .map((line) => {
      const m = NESTED_LINE.exec(line);
      return m ? m[1] + m[2].replace(/^([ \t]*)([>*+-]|\d)/, '$1\\$2') : line;
    })
    .join('\n');
}

function plainTokens(text: string): TokensList {
  const paragraph = { type: 'paragraph', raw: text, text, tokens: [{ type: 'text', raw: text, text, escaped: false }] };
  return Object.assign([paragraph] as Token[], { links: {} }) as TokensList;
}

function randomKey(window: Window): string {
  const bytes = new Uint8Array(12);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function createMarkdownRenderer(window: Window): MarkdownRenderer {
  const doc = window.document;
  const sanitizer = createSanitizer(window);
  const placeholderKey = `code-${randomKey(window)}-`;
  /** Fenced blocks of the render in progress, by placeholder index. */
  let fences: { code: string; language: string }[] = [];
  const marked = new Marked({
    gfm: true,
    breaks: false,
    async: false,
    renderer: {
      code({ text, lang }) {
        fences.push({ code: text.replace(/\n$/, ''), language: fenceLanguage(lang) });
        return `<div title="${placeholderKey}${fences.length - 1}"></div>\n`;
      },
      // No images: remote ones are blocked by the CSP anyway, and a local model has no business
      // loading any. The alt text becomes a link the user may open (through the host's checks).
      image({ href, text }) {
        const label = escapeHtml(text || href || 'image');
        return href ? `<a href="${escapeHtml(href)}">${label}</a>` : label;
      },
      checkbox({ checked }) {
        return checked ? '☑ ' : '☐ ';
      },
    },
  });
  const highlight = (code: string, lang: string) => sanitizer.fragment(highlightCode(code, lang));
  const plain = (tokens: Token[]): DocumentFragment => {
    const fragment = doc.createDocumentFragment();
    const p = doc.createElement('p');
    p.className = 'plain-text';
    p.textContent = tokens.map((t) => t.raw).join('');
    fragment.append(p);
    return fragment;
  };
  const lex = (text: string): TokensList => {
    try {
      return marked.lexer(capNesting(text));
    } catch {
      return plainTokens(text);
    }
  };
  const render = (tokens: Token[], links: TokensList['links']): DocumentFragment => {
    fences = [];
    try {
      const list = Object.assign(tokens.slice(), { links }) as TokensList;
      const fragment = sanitizer.fragment(marked.parser(list));
      for (const holder of Array.from(fragment.querySelectorAll('div[title]'))) {
        const title = holder.getAttribute('title') ?? '';
        if (!title.startsWith(placeholderKey)) continue;
        const fence = fences[Number(title.slice(placeholderKey.length))];
        if (fence) holder.replaceWith(fencedPre(doc, fence, highlight(fence.code, fence.language)).pre);
        else holder.remove();
      }
      return fragment;
    } catch {
      return plain(tokens);
    } finally {
      fences = [];
    }
  };
  return {
    sanitizer,
    lex,
    renderTokens: render,
    render(text: string): DocumentFragment {
      const tokens = lex(text.replace(/\r\n?/g, '\n'));
      return render(tokens, tokens.links);
    },
    highlight,
  };
}
