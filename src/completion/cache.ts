// Completions remembered by where they were produced, so that
// - typing the characters the ghost text shows keeps the rest on screen with no new request
//   ("typing through"), and
// - backspacing to an earlier position shows its suggestion again.
// A lookup walks back over the last characters typed: the suggestion stored at `prefix minus k
// characters` still applies when it starts with those k characters.

import { LRUCache } from 'lru-cache';

/** Characters of prefix (before the cursor) and suffix (after it) that identify a position. */
const PREFIX_KEY_CHARS = 1000;
const SUFFIX_KEY_CHARS = 200;

/** What an editor inserts after the cursor by itself when an opener is typed (auto-closing). */
const AUTO_CLOSERS = /^[)\]}"'`>]{1,4}/;

/** A stored suggestion; `id` follows it through typing-through for the statistics. */
export interface CachedCompletion {
  id: string;
  text: string;
  /**
   * The model ended the answer itself (not the token limit): once it is typed through to its end,
   * the model's word for that position is known, nothing more, and no new request is needed there
   * (at the end of a line the next natural point is Enter, which asks ahead).
   */
  ended?: boolean;
}

export interface CacheHit extends CachedCompletion {
  /** Characters typed since the completion was produced (0: the very same position). */
  typed: number;
  /**
   * Characters after the cursor that the editor auto-inserted since (a closing bracket or quote)
   * and that `text` already contains: the item replaces them, so the ghost text flows around them.
   */
  replaceAfter: number;
}

/** Where a completion was stored: enough to tell, from a later prefix, how much was typed since. */
interface Position {
  key: string;
  /** The last PREFIX_KEY_CHARS characters of the prefix when it was stored. */
  tail: string;
  /** The whole prefix length then: a later prefix that extends it is `length - prefixLength` longer. */
  prefixLength: number;
}

/** Positions remembered per (model, suffix head); more than this and the oldest go. */
const POSITIONS_PER_SUFFIX = 64;

export class CompletionCache {
  private readonly entries: LRUCache<string, CachedCompletion>;
  /**
   * Stored positions by (model, suffix head). A lookup checks the few positions made with the same
   * text after the cursor instead of building a key for each of up to `maxLookBack` earlier
   * positions: that walk cost about half a millisecond per keystroke.
   */
  private readonly positions = new Map<string, Position[]>();

  /**
   * @param maxLookBack how many typed characters a lookup may walk back over.
   */
  constructor(
    max = 500,
    private readonly maxLookBack = 200,
  ) {
    this.entries = new LRUCache<string, CachedCompletion>({
      max,
      // Replacing a value is not forgetting its position; eviction and deletion are.
      dispose: (_value, gone, reason) => reason !== 'set' && this.forget(gone),
    });
  }

  /** Remembers the completion (possibly empty: "nothing useful here") at a position. */
  set(model: string, prefix: string, suffix: string, completion: CachedCompletion): void {
    const k = key(model, prefix, prefix.length, suffix);
    const group = groupKey(model, suffix);
    const list = (this.positions.get(group) ?? []).filter((p) => p.key !== k);
    list.push({ key: k, tail: prefix.slice(-PREFIX_KEY_CHARS), prefixLength: prefix.length });
    if (list.length > POSITIONS_PER_SUFFIX) list.shift();
    this.positions.set(group, list);
    this.entries.set(k, completion);
  }

  /**
   * The completion for this position: stored here, or stored up to `maxLookBack` characters
   * earlier and typed through since. An empty stored completion at the exact position is a hit
   * too (the model had nothing to add); so is the end of one typed through when the model ended it
   * there (`ended`). Any other fully typed-through one is not (time for a new one).
   */
  get(model: string, prefix: string, suffix: string): CacheHit | undefined {
    // Typing "(" makes the editor insert ")" after the cursor: the suffix the suggestion was made
    // for did not have it. Looking up with those closers taken off keeps typing-through working.
    const closers = AUTO_CLOSERS.exec(suffix)?.[0] ?? '';
    let best: CacheHit | undefined;
    for (let skipped = 0; skipped <= closers.length; skipped++) {
      for (const position of this.positions.get(groupKey(model, suffix.slice(skipped))) ?? []) {
        const typed = prefix.length - position.prefixLength;
        if (typed < 0 || typed > this.maxLookBack || (skipped > 0 && typed === 0)) continue;
        // The text before the typed characters must be the prefix the suggestion was made for.
        if (!prefix.endsWith(position.tail, prefix.length - typed)) continue;
        if (best && best.typed <= typed) continue; // the nearest stored position wins
        const hit = this.hitAt(position.key, prefix, typed);
        if (!hit) continue;
        if (skipped > 0 && !containsInOrder(hit.text, closers.slice(0, skipped))) continue;
        best = { ...hit, replaceAfter: skipped };
      }
    }
    if (best) this.entries.get(key(model, prefix, prefix.length - best.typed, suffix.slice(best.replaceAfter))); // refresh its LRU place
    return best;
  }

  private hitAt(storedKey: string, prefix: string, typed: number): Omit<CacheHit, 'replaceAfter'> | undefined {
    const stored = this.entries.peek(storedKey);
    if (stored === undefined) return undefined;
    if (typed === 0) return { ...stored, typed };
    const typedText = prefix.slice(prefix.length - typed);
    if (stored.text.length >= typed && stored.text.startsWith(typedText)) {
      const rest = stored.text.slice(typed);
      if (rest.trim()) return { ...stored, text: rest, typed };
      if (stored.ended) return { ...stored, text: '', typed };
    }
    return undefined;
  }

  private forget(evictedKey: string): void {
    const group = evictedKey.slice(0, evictedKey.indexOf('\u0000')) + '\u0000' + evictedKey.slice(evictedKey.lastIndexOf('\u0000') + 1);
    const list = this.positions.get(group)?.filter((p) => p.key !== evictedKey);
    if (list?.length) this.positions.set(group, list);
    else this.positions.delete(group);
  }

  clear(): void {
    this.entries.clear();
    this.positions.clear();
  }
}

function groupKey(model: string, suffix: string): string {
  return `${model}\u0000${suffix.slice(0, SUFFIX_KEY_CHARS)}`;
}

function key(model: string, prefix: string, end: number, suffix: string): string {
  return `${model}\u0000${prefix.slice(Math.max(0, end - PREFIX_KEY_CHARS), end)}\u0000${suffix.slice(0, SUFFIX_KEY_CHARS)}`;
}

/** True when `chars` appear in `text` in this order (the ghost text can flow around them). */
function containsInOrder(text: string, chars: string): boolean {
  let from = 0;
  for (const c of chars) {
    const at = text.indexOf(c, from);
    if (at < 0) return false;
    from = at + 1;
  }
  return true;
}
