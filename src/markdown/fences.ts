// The one reading of Markdown code fences, for every place that looks for code in a model's answer:
// actions' code extraction, commit messages, completions' clean-up, chat's think splitting and the
// chat page's streaming renderer. Line rules follow CommonMark; a whole answer is read with
// `marked`'s lexer (the chat page renders with the same), so lists and block quotes count too.
// Pure: no Node or VS Code APIs, the webview bundles it as well.

import { Lexer, type Token } from 'marked';

export interface Fence {
  char: '`' | '~';
  /** Three or more. */
  length: number;
  /** Spaces before the fence (at most 3). */
  indent: number;
  /** The info string after the fence (language and more), trimmed. */
  info: string;
}

const OPENING = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const CLOSING = /^( *)(`{3,}|~{3,})[ \t]*$/;

/** The fence a line opens, or undefined. A backtick fence's info string may not contain backticks. */
export function openingFence(line: string): Fence | undefined {
  const m = OPENING.exec(line.replace(/^\t/, '    ').replace(/\r$/, ''));
  if (!m) return undefined;
  const marker = m[2] as string;
  const info = m[3] as string;
  if (marker[0] === '`' && info.includes('`')) return undefined;
  return { char: marker[0] as '`' | '~', length: marker.length, indent: (m[1] as string).length, info: info.trim() };
}

/**
 * True when `line` closes `open`: the same character, at least as long, nothing after it. Up to
 * three spaces more indented than the opening (CommonMark), so fences inside list items close too.
 */
export function closesFence(line: string, open: Pick<Fence, 'char' | 'length'> & { indent?: number }): boolean {
  const m = CLOSING.exec(line.replace(/\r$/, ''));
  if (!m) return false;
  const marker = m[2] as string;
  return marker[0] === open.char && marker.length >= open.length && (m[1] as string).length <= (open.indent ?? 0) + 3;
}

/** True when some line of the text opens a fence. */
export function hasFence(text: string): boolean {
  return text.split('\n').some((line) => openingFence(line) !== undefined);
}

export interface FencedBlock {
  /** The info string's first word, as written. */
  lang: string;
  /** The code, without the fences and without the indentation of an enclosing list item. */
  code: string;
}

/** Every fenced code block of a whole Markdown text, in order (indented code blocks are not fences). */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  const visit = (tokens: readonly Token[]) => {
    for (const token of tokens) {
      if (token.type === 'code' && token.codeBlockStyle !== 'indented') {
        blocks.push({ lang: typeof token.lang === 'string' ? (token.lang.split(/\s+/)[0] ?? '') : '', code: String(token.text) });
      }
      const children = childTokens(token);
      if (children.length > 0) visit(children);
    }
  };
  visit(Lexer.lex(markdown.replace(/\r\n?/g, '\n'), { gfm: true }));
  return blocks;
}

function childTokens(token: Token): Token[] {
  const nested: Token[] = [];
  if ('tokens' in token && Array.isArray(token.tokens)) nested.push(...(token.tokens as Token[]));
  if (token.type === 'list') for (const item of token.items) nested.push(item);
  return nested;
}
