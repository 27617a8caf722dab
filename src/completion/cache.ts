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

export class CompletionCache {
  private readonly entries: LRUCache<string, CachedCompletion>;

  /**
   * @param maxLookBack how many typed characters a lookup may walk back over.
   */
  constructor(
    max = 500,
    private readonly maxLookBack = 200,
  ) {
    this.entries = new LRUCache<string, CachedCompletion>({ max });
  }

  /** Remembers the completion (possibly empty: "nothing useful here") at a position. */
  set(model: string, prefix: string, suffix: string, completion: CachedCompletion): void {
    this.entries.set(key(model, prefix, prefix.length, suffix), completion);
  }

  /**
   * The completion for this position: stored here, or stored up to `maxLookBack` characters
   * earlier and typed through since. An empty stored completion at the exact position is a hit
   * too (the model had nothing to add); a fully typed-through one is not (time for a new one).
   */
  get(model: string, prefix: string, suffix: string): CacheHit | undefined {
    const limit = Math.min(this.maxLookBack, prefix.length);
    // Typing "(" makes the editor insert ")" after the cursor: the suffix the suggestion was made
    // for did not have it. Looking up with those closers taken off keeps typing-through working.
    const closers = AUTO_CLOSERS.exec(suffix)?.[0] ?? '';
    for (let typed = 0; typed <= limit; typed++) {
      for (let skipped = 0; skipped <= closers.length; skipped++) {
        if (skipped > 0 && typed === 0) break; // nothing was typed, so nothing was auto-inserted
        const hit = this.lookup(model, prefix, suffix.slice(skipped), typed);
        if (!hit) continue;
        if (skipped > 0 && !containsInOrder(hit.text, closers.slice(0, skipped))) continue;
        return { ...hit, replaceAfter: skipped };
      }
    }
    return undefined;
  }

  private lookup(model: string, prefix: string, suffix: string, typed: number): Omit<CacheHit, 'replaceAfter'> | undefined {
    const stored = this.entries.get(key(model, prefix, prefix.length - typed, suffix));
    if (stored === undefined) return undefined;
    if (typed === 0) return { ...stored, typed };
    const typedText = prefix.slice(prefix.length - typed);
    if (stored.text.length > typed && stored.text.startsWith(typedText)) {
      const rest = stored.text.slice(typed);
      if (rest.trim()) return { ...stored, text: rest, typed };
    }
    return undefined;
  }

  clear(): void {
    this.entries.clear();
  }
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
