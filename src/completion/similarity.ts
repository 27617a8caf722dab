// The words of code and how much two pieces share: identifiers, Jaccard similarity, the 24-line
// windows other files are cut into (with an index from identifier to window), and the code around
// the cursor they are compared with. Pure.

const WINDOW_LINES = 24;
const WINDOW_STEP = 12;
const CURSOR_WINDOW_LINES = 20;
const MAX_DOCUMENT_CHARS = 200_000;

const KEYWORDS = new Set(
  (
    'if else for while do return function const let var class new this self import from export default ' +
    'def elif pass None True False and or not in is as with try except finally raise lambda yield async await ' +
    'public private protected static final void int long float double char bool boolean string str true false null ' +
    'nil func package type struct interface go defer range map chan fn pub mut impl use mod match where let ' +
    'switch case break continue throw throws catch extends implements super typeof instanceof undefined include'
  ).split(' '),
);

/** The identifiers of a text, as a set (keywords and one-letter names carry no signal). */
export function identifiers(text: string): Set<string> {
  const ids = new Set<string>();
  for (const match of text.matchAll(/[A-Za-z_$][\w$]*/g)) {
    const id = match[0];
    if (id.length > 1 && !KEYWORDS.has(id)) ids.add(id);
  }
  return ids;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const id of small) if (large.has(id)) shared++;
  return shared / (a.size + b.size - shared);
}

export interface Window {
  startLine: number;
  endLine: number; // exclusive
  text: string;
  ids: Set<string>;
}

export function windowsOf(text: string): Window[] {
  const lines = text.slice(0, MAX_DOCUMENT_CHARS).split('\n');
  const windows: Window[] = [];
  for (let start = 0; start < lines.length; start += WINDOW_STEP) {
    const end = Math.min(lines.length, start + WINDOW_LINES);
    const body = lines.slice(start, end).join('\n');
    if (body.trim()) windows.push({ startLine: start, endLine: end, text: body, ids: identifiers(body) });
    if (end === lines.length) break;
  }
  return windows;
}

/** For each identifier, the windows that contain it: ranking then visits only windows that share one. */
const postingsOf = new WeakMap<Window[], Map<string, number[]>>();

export function postings(windows: Window[]): Map<string, number[]> {
  let index = postingsOf.get(windows);
  if (!index) {
    index = new Map();
    windows.forEach((window, i) => {
      for (const id of window.ids) {
        const list = index!.get(id);
        if (list) list.push(i);
        else index!.set(id, [i]);
      }
    });
    postingsOf.set(windows, index);
  }
  return index;
}

/** The code around the cursor that snippets are compared with. */
export function cursorWindow(text: string, offset: number): string {
  let start = offset;
  for (let i = 0; i < CURSOR_WINDOW_LINES && start > 0; i++) start = text.lastIndexOf('\n', start - 2) + 1;
  const end = text.indexOf('\n', offset);
  return text.slice(start, end === -1 ? text.length : end);
}
