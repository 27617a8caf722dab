// Deterministic stand-ins for what a real model server measures in tokens: splitting answers into
// streamed pieces, counting prompt tokens, fake token ids for `context`, and reading FIM prompts.

// Qwen2's pre-tokenizer pattern (contractions, words with one leading non-letter, up to 3 digits,
// punctuation runs, newlines, spaces). Every character falls in one alternative, so the pieces
// always join back to the input.
const PIECE =
  /'(?:s|t|re|ve|m|ll|d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;

/** Longer pieces are cut, like BPE does with rare long words (≈ 4 characters a token). */
const MAX_PIECE = 6;
const CUT = 4;

/** Splits text into the pieces a model would stream, one token each. Joining them gives `text` back. */
export function tokenize(text: string): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const match of text.matchAll(PIECE)) {
    const chars = Array.from(match[0]);
    if (chars.length <= MAX_PIECE) {
      out.push(match[0]);
      continue;
    }
    for (let i = 0; i < chars.length; i += CUT) out.push(chars.slice(i, i + CUT).join(''));
  }
  // Guard the invariant: should the pattern ever skip a character, fall back to fixed-size cuts.
  if (out.join('') !== text) {
    const chars = Array.from(text);
    out.length = 0;
    for (let i = 0; i < chars.length; i += CUT) out.push(chars.slice(i, i + CUT).join(''));
  }
  return out;
}

export function countTokens(text: string): number {
  return tokenize(text).length;
}

/** A stable fake token id (Qwen's vocabulary has 151,936 entries) for the `context` array. */
export function tokenId(piece: string): number {
  let h = 2166136261;
  for (let i = 0; i < piece.length; i++) {
    h ^= piece.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % 151643;
}

export const FIM = {
  prefix: '<|fim_prefix|>',
  suffix: '<|fim_suffix|>',
  middle: '<|fim_middle|>',
  fileSep: '<|file_sep|>',
  repoName: '<|repo_name|>',
} as const;

export interface FimParts {
  prefix: string;
  suffix: string;
  /** Everything before `<|fim_prefix|>`: repo name and other files in repository-level prompts. */
  context: string;
}

/** Reads a Qwen2.5-Coder raw FIM prompt (prefix-suffix-middle order); undefined if it is not one. */
export function parseFim(prompt: string): FimParts | undefined {
  const p = prompt.lastIndexOf(FIM.prefix);
  if (p < 0) return undefined;
  const s = prompt.indexOf(FIM.suffix, p);
  const m = prompt.indexOf(FIM.middle, s < 0 ? p : s);
  if (s < 0 || m < 0) return undefined;
  return {
    context: prompt.slice(0, p),
    prefix: prompt.slice(p + FIM.prefix.length, s),
    suffix: prompt.slice(s + FIM.suffix.length, m),
  };
}

/** Length of the common prefix of two strings (the part of a prompt a warm KV cache already holds). */
export function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

const GO_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Go's time.ParseDuration, in milliseconds, with Go's error texts: Ollama parses a string
 * keep_alive this way, so "-1" (no unit) is an error while the number -1 means "for ever".
 */
export function parseGoDuration(text: string): number {
  const orig = text;
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new Error(`time: invalid duration ${JSON.stringify(orig)}`);
  let total = 0;
  while (s !== '') {
    const num = /^(\d*)(?:\.(\d*))?/.exec(s);
    const whole = num?.[1] ?? '';
    const frac = num?.[2];
    if (!num || (whole === '' && (frac === undefined || frac === ''))) throw new Error(`time: invalid duration ${JSON.stringify(orig)}`);
    s = s.slice(num[0].length);
    const unit = /^[^\d.]+/.exec(s)?.[0];
    if (!unit) throw new Error(`time: missing unit in duration ${JSON.stringify(orig)}`);
    const scale = GO_UNITS[unit];
    if (scale === undefined) throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(orig)}`);
    total += Number(`${whole || '0'}.${frac ?? '0'}`) * scale;
    s = s.slice(unit.length);
  }
  return sign * total;
}
