// The split of the prompt budget between prefix, suffix and snippets, counted with the shared
// token estimate (src/tokens.ts).

import { estimateTokens, fractionalTokens } from '../tokens';

/** Re-exported so the completion code keeps one import for budgets. */
export { estimateTokens };

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
