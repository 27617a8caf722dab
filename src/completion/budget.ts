// Token counting and the split of the prompt budget between prefix, suffix and snippets.
//
// No npm package ships the Qwen2.5 tokenizer under the 1 MB the packaged extension may weigh (its
// tokenizer.json alone is ~7 MB), so tokens are ESTIMATED. The text is cut with the Qwen2
// pre-tokenizer's own regex; byte-level BPE never merges across those pieces, so the count of a
// text is exactly the sum over its pieces, and only each piece needs a price. The prices below are
// the average real token counts per piece class and length, measured with the Qwen tokenizer on
// ~130 source files (TypeScript, JavaScript, Python, C); test/bench/completion-tokens.ts prints the
// resulting error on a fresh sample.

/** Qwen2's pre-tokenizer pattern: the pieces BPE merges never cross. */
const PRE_TOKEN = /'(?:[sStTmMdD]|re|ve|ll|RE|VE|LL)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;

/** Tokens of one ASCII word by what precedes it (a space, a symbol, nothing) and its length. */
function wordTokens(lead: 'none' | 'space' | 'symbol', letters: number): number {
  if (letters <= 2) return 1;
  // Measured: " return" 1.1, ".length" 1.3; past the knee each letter adds about a fifth of a token.
  const base = lead === 'space' ? 1.15 : lead === 'symbol' ? 1.35 : 1.25;
  const knee = lead === 'space' ? 8 : 6;
  return base + Math.max(0, letters - knee) * 0.22;
}

/** Tokens of a run of symbols such as `);` or `=>` (measured: 1 up to 3, then ~0.4 per symbol). */
function symbolTokens(symbols: number): number {
  return symbols <= 3 ? 1 + Math.max(0, symbols - 2) * 0.1 : 1.1 + (symbols - 3) * 0.4;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function pieceTokens(piece: string): number {
  const first = piece.charCodeAt(0);
  let letters = 0;
  let symbols = 0;
  let spaces = 0;
  // Non-ASCII text was too rare in the sample to measure by class: priced cautiously (an
  // over-estimate only shortens the prompt) at one token per character, more for 3-byte UTF-8.
  let other = 0;
  for (let i = 0; i < piece.length; i++) {
    const c = piece.charCodeAt(i);
    if (isAsciiLetter(c)) letters++;
    else if (isSpace(c)) spaces++;
    else if (c < 0x80) symbols++;
    else other += c < 0x800 ? 1 : 1.2;
  }
  if (other > 0) return Math.max(1, other + (letters > 0 ? wordTokens('none', letters) : 0));
  if (letters > 0) {
    const lead = isAsciiLetter(first) ? 'none' : first === 0x20 ? 'space' : 'symbol';
    return wordTokens(lead, letters);
  }
  if (symbols > 0) return symbolTokens(symbols);
  // Digits are single tokens; whitespace runs (indentation, blank lines) nearly always one.
  return spaces > 0 ? 1 + Math.floor(spaces / 80) : 1;
}

/** Estimated Qwen2.5 tokens in a text. */
export function estimateTokens(text: string): number {
  return Math.ceil(fractionalTokens(text));
}

/** Unrounded, so that sums over lines do not gain a token per line. */
function fractionalTokens(text: string): number {
  let total = 0;
  for (const match of text.matchAll(PRE_TOKEN)) total += pieceTokens(match[0]);
  return total;
}

export interface Snippet {
  /** Path shown to the model. */
  path: string;
  content: string;
  /** Higher is more relevant; the budget takes snippets best first. */
  score: number;
}

export interface BudgetLimits {
  /** Tokens for the whole prompt (context window minus the answer and a safety margin). */
  inputTokens: number;
  /** Tokens taken by the template around the code (special tokens, paths). */
  overheadTokens: number;
  /** The suffix is re-read on every keystroke (it follows the prefix), so it stays short. */
  maxSuffixTokens: number;
  /** At most this much for snippets from other files. */
  maxSnippetTokens: number;
  /**
   * The prefix start moves only in steps of this many lines, so the prompt's beginning (and
   * Ollama's cached evaluation of it) survives while the user types a few lines.
   */
  prefixAnchorLines: number;
}

export const DEFAULT_LIMITS: Omit<BudgetLimits, 'inputTokens' | 'overheadTokens'> = {
  maxSuffixTokens: 384,
  maxSnippetTokens: 768,
  prefixAnchorLines: 16,
};

/** Input tokens for a context window: room for the longest answer and for the estimate's error. */
export function inputTokensFor(numCtx: number, numPredict: number): number {
  const safety = Math.ceil(numCtx * 0.1);
  return Math.max(256, numCtx - numPredict - safety);
}

export interface BudgetResult {
  prefix: string;
  suffix: string;
  snippets: Snippet[];
  tokens: { prefix: number; suffix: number; snippets: number };
}

/**
 * Splits the budget. The prefix matters most, the suffix gets at most a fifth, snippets fill what
 * the prefix leaves (a short file leaves more). All cuts fall on line boundaries; the line of the
 * cursor is always kept whole on both sides.
 */
export function fitBudget(prefix: string, suffix: string, snippets: readonly Snippet[], limits: BudgetLimits): BudgetResult {
  const total = Math.max(0, limits.inputTokens - limits.overheadTokens);
  const suffixCut = takeLinesFromStart(suffix, Math.min(limits.maxSuffixTokens, Math.floor(total * 0.2)));
  const afterSuffix = total - suffixCut.tokens;
  const reserve = snippets.length > 0 ? Math.min(limits.maxSnippetTokens, Math.floor(afterSuffix * 0.3)) : 0;
  const firstPrefix = takeLinesFromEnd(prefix, afterSuffix - reserve, limits.prefixAnchorLines);

  // Snippets may also use what a short prefix did not need.
  const snippetRoom = Math.min(limits.maxSnippetTokens, afterSuffix - firstPrefix.tokens);
  const chosen: Snippet[] = [];
  let snippetTokens = 0;
  for (const snippet of [...snippets].sort((a, b) => b.score - a.score)) {
    const cost = estimateTokens(snippet.content) + estimateTokens(snippet.path) + 2;
    if (snippetTokens + cost > snippetRoom) continue;
    chosen.push(snippet);
    snippetTokens += cost;
  }
  // What the snippets left goes back to the prefix.
  const prefixCut =
    snippetTokens < reserve ? takeLinesFromEnd(prefix, afterSuffix - snippetTokens, limits.prefixAnchorLines) : firstPrefix;
  return {
    prefix: prefixCut.text,
    suffix: suffixCut.text,
    snippets: chosen,
    tokens: { prefix: prefixCut.tokens, suffix: suffixCut.tokens, snippets: snippetTokens },
  };
}

interface Cut {
  text: string;
  tokens: number;
}

/** Whole lines from the start of `text` within `budget`; the first line (rest of the cursor's line) always. */
export function takeLinesFromStart(text: string, budget: number): Cut {
  let end = 0;
  let tokens = 0;
  while (end < text.length) {
    const newline = text.indexOf('\n', end);
    const lineEnd = newline === -1 ? text.length : newline + 1;
    const cost = fractionalTokens(text.slice(end, lineEnd));
    if (end > 0 && tokens + cost > budget) break;
    tokens += cost;
    end = lineEnd;
  }
  return { text: text.slice(0, end), tokens: Math.ceil(tokens) };
}

/**
 * Whole lines from the end of `text` within `budget`; the last line (the cursor's line up to the
 * cursor) always. When lines must be dropped, the start moves forward to the next line whose
 * number is a multiple of `anchorLines`, so it stays put while the user types.
 */
export function takeLinesFromEnd(text: string, budget: number, anchorLines = 1): Cut {
  let start = text.lastIndexOf('\n') + 1;
  let tokens = fractionalTokens(text.slice(start));
  const costs: number[] = []; // of the kept lines above the cursor's, bottom first
  let cut = false;
  while (start > 0) {
    // text[start - 1] is the newline ending the line above.
    const above = start >= 2 ? text.lastIndexOf('\n', start - 2) + 1 : 0;
    const cost = fractionalTokens(text.slice(above, start));
    if (tokens + cost > budget) {
      cut = true;
      break;
    }
    tokens += cost;
    costs.push(cost);
    start = above;
  }
  if (cut && anchorLines > 1) {
    const skip = (anchorLines - (countNewlines(text, start) % anchorLines)) % anchorLines;
    for (let i = 0; i < skip && costs.length > 0; i++) {
      start = text.indexOf('\n', start) + 1;
      tokens -= costs.pop() ?? 0;
    }
  }
  return { text: text.slice(start), tokens: Math.ceil(tokens) };
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
