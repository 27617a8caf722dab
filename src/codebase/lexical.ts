// The lexical retriever: a MiniSearch (BM25) full-text index over chunks. It needs no model, so it
// works on every machine. Identifiers are indexed whole and split on camelCase, snake_case and
// digits (`parseHTTPResponse2` → parsehttpresponse2, parse, http, response), so that both
// "parseHTTPResponse" and "http response parsing" find it. A chunk's own symbol names and its path
// weigh more than words in its body; a query word that is exactly a symbol name is looked up apart.

import MiniSearch from 'minisearch';
import type { Chunk } from './types';

export interface Ranked {
  id: number;
  score: number;
}

interface Doc {
  id: number;
  text: string;
  symbols: string;
  path: string;
}

/** Question words that say nothing about code ("where is the retry policy configured?"). */
const STOP_WORDS = new Set(
  (
    'a an and are as at be by can do does for from how i in into is it its me my of on or should show ' +
    'that the their there these this to use used uses using was what when where which who why will with'
  ).split(' '),
);

const WORD = /[A-Za-z0-9_$]+/g;

/** Query terms in more than this share of the chunks are dropped (see `focus`)… */
const COMMON_TERM_SHARE = 0.1;
/** …once the index holds this many chunks (on a small one, every term is common). */
const COMMON_TERMS_FROM = 2000;

/** Identifiers and words of a text, as written. */
export function identifiers(text: string): string[] {
  return text.match(WORD) ?? [];
}

/** The lower-case parts of an identifier: `getHTTPResponse_v2` → get, http, response, v2. */
export function identifierParts(identifier: string): string[] {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_$]+/)
    .map((part) => part.toLowerCase())
    .filter((part) => part.length > 1);
}

/** Identifiers repeat a lot in code: their terms are remembered (bounded; cleared when full). */
const termCache = new Map<string, string[]>();
const TERM_CACHE_SIZE = 50_000;

/** The terms indexed for one identifier: itself (lower case) and its parts, stop words dropped. */
export function termsOf(identifier: string): string[] {
  let terms = termCache.get(identifier);
  if (terms === undefined) {
    if (termCache.size >= TERM_CACHE_SIZE) termCache.clear();
    terms = computeTerms(identifier);
    termCache.set(identifier, terms);
  }
  return terms;
}

function computeTerms(identifier: string): string[] {
  const whole = identifier.toLowerCase().replace(/^[_$]+|[_$]+$/g, '');
  if (whole.length < 2 || whole.length > 64) return [];
  const parts = identifierParts(identifier);
  const terms = parts.length > 1 || parts[0] !== whole ? [whole, ...parts] : [whole];
  return terms.filter((term) => !STOP_WORDS.has(term));
}

/**
 * A question's words also match their singular (`numbers` → number, `entries` → entry): people ask
 * in plurals, code names things in the singular. Only at query time, so the index is unchanged;
 * `known` keeps a plural the index holds as it is (its own matches rank better than the singular's).
 */
export function queryTerms(word: string, known: (term: string) => boolean = () => false): string[] {
  const terms = termsOf(word);
  const out = new Set(terms);
  for (const term of terms) {
    if (known(term)) continue;
    if (term.length > 4 && term.endsWith('ies')) out.add(`${term.slice(0, -3)}y`);
    else if (term.length > 3 && term.endsWith('s') && !/(?:ss|us|is)$/.test(term)) out.add(term.slice(0, -1));
  }
  return [...out];
}

export class LexicalIndex {
  private readonly mini: MiniSearch<Doc>;
  /** Lower-cased symbol name → ids of the chunks that define it. */
  private readonly bySymbol = new Map<string, Set<number>>();

  constructor() {
    this.mini = new MiniSearch<Doc>({
      fields: ['text', 'symbols', 'path'],
      storeFields: [],
      tokenize: identifiers,
      processTerm: termsOf,
      searchOptions: { boost: { symbols: 4, path: 2 }, combineWith: 'OR' },
    });
  }

  get size(): number {
    return this.mini.documentCount;
  }

  add(id: number, chunk: Chunk): void {
    const path = chunk.container === undefined ? chunk.path : `${chunk.path} ${chunk.container}`;
    this.mini.add({ id, text: chunk.text, symbols: chunk.symbols.join(' '), path });
    for (const symbol of chunk.symbols) {
      const key = symbol.toLowerCase();
      let ids = this.bySymbol.get(key);
      if (ids === undefined) this.bySymbol.set(key, (ids = new Set()));
      ids.add(id);
    }
  }

  remove(id: number, chunk: Chunk): void {
    this.mini.discard(id);
    for (const symbol of chunk.symbols) {
      const key = symbol.toLowerCase();
      const ids = this.bySymbol.get(key);
      ids?.delete(id);
      if (ids?.size === 0) this.bySymbol.delete(key);
    }
  }

  /**
   * BM25 ranking. Words of 6+ letters also match as prefixes (`collect` → collected, collection),
   * weighted down; shorter ones would expand to thousands of terms on a large index. The filter is
   * applied to the sorted results only until `limit` are taken (it may be a costly glob match).
   */
  search(query: string, limit: number, accept: (id: number) => boolean): Ranked[] {
    const results = this.mini.search(this.focus(query), { prefix: (term) => term.length >= 6, weights: { prefix: 0.3, fuzzy: 0 }, processTerm: (word) => queryTerms(word, (term) => this.documentFrequency(term) > 0) });
    const out: Ranked[] = [];
    for (const result of results) {
      if (out.length >= limit) break;
      const id = result.id as number; // ids are the numbers add() gave
      if (accept(id)) out.push({ id, score: result.score });
    }
    return out;
  }

  /**
   * Drops query terms found in more than a tenth of a large index (`get`, `type`, `value` in a
   * TypeScript repository): they barely change the ranking but make every chunk a match, and
   * scoring and sorting 50,000 matches is what makes a query slow. The two rarest terms always stay.
   */
  private focus(query: string): string {
    const terms = [...new Set(identifiers(query).flatMap(termsOf))];
    const total = this.mini.documentCount;
    if (terms.length <= 2 || total < COMMON_TERMS_FROM) return query;
    const counted = terms.map((term) => ({ term, df: this.documentFrequency(term) }));
    const rarest = [...counted].sort((a, b) => a.df - b.df).slice(0, 2);
    const kept = counted.filter((c) => c.df <= total * COMMON_TERM_SHARE || rarest.includes(c));
    return kept.map((c) => c.term).join(' ');
  }

  /** Chunks holding the term in their most common field; MiniSearch keeps it per term and field. */
  private documentFrequency(term: string): number {
    // MiniSearch has no public document-frequency call: its term index (a SearchableMap of
    // field id → document id → count) is read directly; if its shape ever changes, nothing is pruned.
    const index = (this.mini as unknown as { _index?: { get?(key: string): unknown } })._index;
    const fields = index?.get?.(term);
    if (!(fields instanceof Map)) return 0;
    let df = 0;
    for (const docs of fields.values()) if (docs instanceof Map) df = Math.max(df, docs.size);
    return df;
  }

  /**
   * Chunks defining a name the query spells out (`resolveHost`, `retry_policy`): the answer people
   * expect first when they name a symbol. Names of three characters or fewer are too ambiguous.
   */
  exactSymbols(query: string, accept: (id: number) => boolean): number[] {
    const out: number[] = [];
    const seen = new Set<number>();
    for (const word of identifiers(query)) {
      if (word.length <= 3 || STOP_WORDS.has(word.toLowerCase())) continue;
      for (const id of this.bySymbol.get(word.toLowerCase()) ?? []) {
        if (seen.has(id) || !accept(id)) continue;
        seen.add(id);
        out.push(id);
      }
    }
    return out;
  }
}
