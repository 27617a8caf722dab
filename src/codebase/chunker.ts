// Cuts a file into chunks that follow its structure: top-level declarations (functions, classes,
// groups of small statements) become chunks; one too large is split into its members (a class
// into its methods, a namespace into its declarations), and only what has no structure left is cut
// into windows, preferably at blank lines. Comments, decorators and attributes stay with the
// declaration below them. Each chunk carries the names it defines.

import { languageFor, NOT_NAMES, TEXT, type Language } from './languages';
import { scanLines, type LineInfo } from './scan';
import type { Chunk } from './types';

export interface ChunkOptions {
  /** A chunk grows to at most this many characters (unless one line alone is longer). */
  maxChars: number;
  /** …and at most this many lines. */
  maxLines: number;
  /** Neighbours are merged while one of them is smaller than this… */
  minChars: number;
  /** …and the merged chunk stays under this. */
  mergeChars: number;
}

export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { maxChars: 2000, maxLines: 80, minChars: 300, mergeChars: 1200 };

/** A line that only closes brackets (`}`, `});`): never a cut, never the level of a chunk. */
const CLOSER_ONLY = /^\s*[\])}]+[;,)]*\s*$/;

/** How deep a large declaration is split into members before windows take over. */
const MAX_NESTING = 4;

interface Piece {
  start: number;
  /** Exclusive. */
  end: number;
  /** The container chain (`Outer.Inner`) the piece lies in, if split out of one. */
  container?: string;
  /** Split out of a class, type or namespace: its own level holds members (not out of a function). */
  members?: boolean;
}

interface Context {
  lines: readonly string[];
  info: readonly LineInfo[];
  language: Language;
  options: ChunkOptions;
  /** Prefix sums of line lengths (with newline) for O(1) range sizes. */
  offsets: number[];
}

export function chunkFile(path: string, text: string, options: Partial<ChunkOptions> = {}): Chunk[] {
  const language = languageFor(path);
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return [];
  const info = scanLines(lines, language.syntax);
  const offsets = [0];
  for (const line of lines) offsets.push(offsets[offsets.length - 1] + line.length + 1);
  const ctx: Context = { lines, info, language, options: { ...DEFAULT_CHUNK_OPTIONS, ...options }, offsets };
  const pieces = language === TEXT ? splitText(ctx, 0, lines.length) : splitRange(ctx, { start: 0, end: lines.length }, 0);
  return pieces.map((piece) => toChunk(ctx, path, piece)).filter((chunk) => chunk.text.trim() !== '');
}

function size(ctx: Context, start: number, end: number): number {
  return ctx.offsets[end] - ctx.offsets[start];
}

function fits(ctx: Context, start: number, end: number): boolean {
  return size(ctx, start, end) <= ctx.options.maxChars && end - start <= ctx.options.maxLines;
}

/** Splits [start, end) at its shallowest code lines, recursing into pieces still too large. */
function splitRange(ctx: Context, range: Piece, nesting: number, baseLevel = -1): Piece[] {
  const level = innerLevel(ctx, range.start, range.end, baseLevel);
  if (level === undefined) return windows(ctx, range);
  const items = declarations(ctx, range, level);
  const out: Piece[] = [];
  for (const item of items) {
    if (fits(ctx, item.start, item.end)) {
      out.push(item);
      continue;
    }
    if (nesting >= MAX_NESTING) {
      out.push(...windows(ctx, item));
      continue;
    }
    const header = firstCodeLine(ctx, item.start, item.end);
    // A class's parts hold its members; a long function's parts are named after the function.
    const name = header === undefined ? undefined : containerName(ctx, header);
    const owner = name ?? (header === undefined ? undefined : firstDefinition(ctx, header));
    const container = owner === undefined ? item.container : joinContainer(item.container, owner);
    const inner = splitRange(ctx, { ...item, container, members: name !== undefined }, nesting + 1, ctx.info[header ?? item.start].level);
    out.push(...(inner.length > 1 ? inner : windows(ctx, item)));
  }
  return merge(ctx, out);
}

/** The shallowest level of the code lines in the range that lie deeper than `baseLevel`. */
function innerLevel(ctx: Context, start: number, end: number, baseLevel: number): number | undefined {
  let level: number | undefined;
  for (let i = start; i < end; i++) {
    const line = ctx.info[i];
    if (line.kind !== 'code' && line.kind !== 'attr') continue;
    if (line.level > baseLevel && (level === undefined || line.level < level) && !CLOSER_ONLY.test(ctx.lines[i])) {
      level = line.level;
    }
  }
  return level;
}

/** Cuts before each code line at `level` that defines something or follows a blank line. */
function declarations(ctx: Context, range: Piece, level: number): Piece[] {
  const cuts = [range.start];
  for (let i = range.start + 1; i < range.end; i++) {
    const line = ctx.info[i];
    if (line.kind !== 'code' || line.level !== level) continue;
    let at = i;
    while (at - 1 > cuts[cuts.length - 1] && isPrefixLine(ctx.info[at - 1])) at--;
    const afterBlank = ctx.info[at - 1].kind === 'blank';
    if (!afterBlank && !definesName(ctx, i)) continue;
    if (at > cuts[cuts.length - 1]) cuts.push(at);
  }
  cuts.push(range.end);
  const out: Piece[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    out.push({ start: cuts[k], end: cuts[k + 1], container: range.container, members: range.members });
  }
  return out;
}

function isPrefixLine(line: LineInfo): boolean {
  return line.kind === 'comment' || line.kind === 'attr';
}

function definesName(ctx: Context, index: number): boolean {
  const trimmed = ctx.lines[index].trim();
  const patterns = [...ctx.language.definitions, ...ctx.language.members];
  return patterns.some((pattern) => {
    const match = pattern.exec(trimmed);
    return match !== null && match.slice(1).some((name) => name !== undefined && !NOT_NAMES.has(name));
  });
}

function firstCodeLine(ctx: Context, start: number, end: number): number | undefined {
  for (let i = start; i < end; i++) if (ctx.info[i].kind === 'code') return i;
  return undefined;
}

function firstDefinition(ctx: Context, index: number): string | undefined {
  const names = new Set<string>();
  collect(ctx.language.definitions, ctx.lines[index].trim(), names);
  return [...names].pop();
}

function containerName(ctx: Context, index: number): string | undefined {
  const match = ctx.language.container.exec(ctx.lines[index].trim());
  if (match === null) return undefined;
  return match.slice(1).find((name) => name !== undefined) ?? '';
}

function joinContainer(outer: string | undefined, name: string): string | undefined {
  if (name === '') return outer;
  return outer === undefined || outer === '' ? name : `${outer}.${name}`;
}

/** Joins neighbours while one is small and the sum stays modest, so that imports and constants group. */
function merge(ctx: Context, pieces: Piece[]): Piece[] {
  const out: Piece[] = [];
  const { minChars, mergeChars, maxLines } = ctx.options;
  for (const piece of pieces) {
    const last = out[out.length - 1];
    if (
      last !== undefined &&
      last.container === piece.container &&
      last.members === piece.members &&
      last.end === piece.start &&
      (size(ctx, last.start, last.end) < minChars || size(ctx, piece.start, piece.end) < minChars) &&
      size(ctx, last.start, piece.end) <= mergeChars &&
      piece.end - last.start <= maxLines
    ) {
      last.end = piece.end;
    } else {
      out.push({ ...piece });
    }
  }
  return out;
}

/** Windows within the size caps, cut at the last blank line when one lies in the second half. */
function windows(ctx: Context, range: Piece): Piece[] {
  const out: Piece[] = [];
  let start = range.start;
  while (start < range.end) {
    let end = start + 1;
    while (end < range.end && fits(ctx, start, end + 1)) end++;
    if (end < range.end) {
      for (let i = end - 1; i > start + (end - start) / 2; i--) {
        if (ctx.info[i].kind === 'blank') {
          end = i + 1;
          break;
        }
      }
    }
    out.push({ start, end, container: range.container, members: range.members });
    start = end;
  }
  return out;
}

/** Text without code structure: blank-line separated blocks, merged up to the caps. */
function splitText(ctx: Context, start: number, end: number): Piece[] {
  const blocks: Piece[] = [];
  let blockStart = start;
  for (let i = start; i < end; i++) {
    const heading = /^#{1,6}\s/.test(ctx.lines[i]);
    if ((ctx.info[i].kind === 'blank' || heading) && i > blockStart) {
      blocks.push({ start: blockStart, end: i });
      blockStart = i;
    }
  }
  blocks.push({ start: blockStart, end });
  const pieces = blocks.flatMap((block) => (fits(ctx, block.start, block.end) ? [block] : windows(ctx, block)));
  const out: Piece[] = [];
  for (const piece of pieces) {
    const last = out[out.length - 1];
    if (last !== undefined && fits(ctx, last.start, piece.end) && !/^#{1,6}\s/.test(ctx.lines[piece.start].trim())) {
      last.end = piece.end;
    } else out.push({ ...piece });
  }
  return out;
}

function toChunk(ctx: Context, path: string, piece: Piece): Chunk {
  let start = piece.start;
  let end = piece.end;
  while (start < end - 1 && ctx.info[start].kind === 'blank') start++;
  while (end > start + 1 && ctx.info[end - 1].kind === 'blank') end--;
  const chunk: Chunk = {
    path,
    startLine: start + 1,
    endLine: end,
    text: ctx.lines.slice(start, end).join('\n'),
    symbols: symbolsOf(ctx, start, end, piece.members === true),
    language: ctx.language.id,
  };
  if (piece.container !== undefined && piece.container !== '') chunk.container = piece.container;
  return chunk;
}

/**
 * Names defined at the chunk's own level; members too when the chunk opens a container (a class
 * with its methods) or was split out of one (its lines are the members).
 */
function symbolsOf(ctx: Context, start: number, end: number, inContainer: boolean): string[] {
  const base = innerLevel(ctx, start, end, -1);
  if (base === undefined) return [];
  const memberLevel = innerLevel(ctx, start, end, base);
  const names = new Set<string>();
  let open = false;
  const { language } = ctx;
  for (let i = start; i < end; i++) {
    const line = ctx.info[i];
    if (line.kind !== 'code') continue;
    const trimmed = ctx.lines[i].trim();
    if (line.level === base) {
      const patterns = inContainer && language !== TEXT ? [...language.definitions, ...language.members] : language.definitions;
      collect(patterns, trimmed, names);
      open = language.container.test(trimmed);
    } else if (open && line.level === memberLevel) {
      collect(language.members, trimmed, names);
    }
  }
  return [...names];
}

/** The first pattern that matches names the line. */
function collect(patterns: readonly RegExp[], trimmed: string, names: Set<string>): void {
  for (const pattern of patterns) {
    const match = pattern.exec(trimmed);
    if (match === null) continue;
    for (const group of match.slice(1)) {
      if (group === undefined || NOT_NAMES.has(group)) continue;
      names.add(group);
      // `Debounce::getShared`, `ts.server`: the last part is what people type.
      const last = group.split(/::|\./).pop();
      if (last !== undefined && last !== group && last !== '') names.add(last);
    }
    return;
  }
}
