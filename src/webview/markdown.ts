// Markdown → sanitized DOM: marked (GFM) for the structure, highlight.js for code, the sanitizer
// for everything. Model output never reaches the DOM any other way.

import { Marked, type Token, type TokensList } from 'marked';
import { escapeHtml, fenceLanguage, highlightCode } from './highlight';
import { createSanitizer, type Sanitizer } from './sanitize';

export interface MarkdownRenderer {
  /** Top-level tokens of `text` (CRLF already normalized by the caller). */
  lex(text: string): TokensList;
  /** Sanitized nodes for some top-level tokens of a lexed text. */
  renderTokens(tokens: Token[], links: TokensList['links']): DocumentFragment;
  /** Sanitized nodes for a whole text. */
  render(text: string): DocumentFragment;
  /** Sanitized highlighted nodes for a piece of code (streaming code blocks). */
  highlight(code: string, lang: string): DocumentFragment;
  readonly sanitizer: Sanitizer;
}

export function codeBlockHtml(code: string, info: string | undefined): string {
  const lang = fenceLanguage(info);
  const cls = lang ? `hljs language-${lang}` : 'hljs';
  return `<pre><code class="${cls}">${highlightCode(code, lang)}</code></pre>\n`;
}

export function createMarkdownRenderer(window: Window): MarkdownRenderer {
  const sanitizer = createSanitizer(window);
  const marked = new Marked({
    gfm: true,
    breaks: false,
    async: false,
    renderer: {
      code({ text, lang }) {
        return codeBlockHtml(text.replace(/\n$/, ''), lang);
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
  const render = (tokens: Token[], links: TokensList['links']): DocumentFragment => {
    const list = Object.assign(tokens.slice(), { links }) as TokensList;
    return sanitizer.fragment(marked.parser(list));
  };
  return {
    sanitizer,
    lex: (text) => marked.lexer(text),
    renderTokens: render,
    render(text: string): DocumentFragment {
      const tokens = marked.lexer(text.replace(/\r\n?/g, '\n'));
      return render(tokens, tokens.links);
    },
    highlight(code: string, lang: string): DocumentFragment {
      return sanitizer.fragment(highlightCode(code, lang));
    },
  };
}
