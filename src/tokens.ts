// The one token estimate of the extension (completions, chat, actions and the chat page use it).
//
// No npm package ships the Qwen2.5 tokenizer under the 1 MB the packaged extension may weigh (its
// tokenizer.json alone is ~7 MB), so tokens are ESTIMATED. The text is cut with the Qwen2
// pre-tokenizer's own regex; byte-level BPE never merges across those pieces, so the count of a
// text is exactly the sum over its pieces, and only each piece needs a price. The prices below are
// the average real token counts per piece class and length, measured with the Qwen tokenizer on
// ~130 source files (TypeScript, JavaScript, Python, C); test/bench/completion-tokens.ts prints the
// resulting error on a fresh sample. Pure: no Node or VS Code APIs, so the webview bundles it too.

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
export function fractionalTokens(text: string): number {
  let total = 0;
  for (const match of text.matchAll(PRE_TOKEN)) total += pieceTokens(match[0]);
  return total;
}
