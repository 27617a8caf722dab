// The "perfect model" of the typing replay: it answers a fill-in-the-middle request with the true
// continuation of the real file from the cursor (the next 1 to 3 lines), never past the end of the
// hole the replay is typing into (the file already has what follows it).

/** The part of a real file being retyped: the document is `text` without [cut, end). */
export interface Hole {
  path: string;
  cut: number;
  end: number;
}

/** Characters of the request's prefix used to find the cursor in the real file. */
const TAIL = 300;

/**
 * The true continuation at the cursor the prompt describes, or undefined when the prompt does not
 * belong to this hole (a late request from an earlier one). `prefix` and `suffix` are what the
 * simulator parsed from the FIM prompt: the tail of the text before the cursor and the head of
 * the text after it, as the engine's budget cut them.
 */
export function perfectAnswer(original: string, hole: Hole, prefix: string, suffix: string): string | undefined {
  // Closers the editor inserted after the cursor (auto-closing brackets) are not in the real file.
  const following = suffix.replace(/^[)\]]+/, '');
  const after = original.slice(hole.end, hole.end + Math.min(following.length, 80));
  if (!following.startsWith(after)) return undefined;
  const tail = prefix.slice(-TAIL);
  let cursor = -1;
  for (let p = hole.end; p >= hole.cut; p--) {
    if (p >= tail.length && original.startsWith(tail, p - tail.length)) {
      cursor = p;
      break;
    }
  }
  if (cursor === -1) return undefined;
  // 1, 2 or 3 lines, fixed per position (so the same question always gets the same answer).
  const lines = 1 + (cursor % 3);
  let from = original[cursor] === '\n' ? cursor + 1 : cursor;
  let stop = cursor;
  for (let i = 0; i < lines; i++) {
    const newline = original.indexOf('\n', from);
    stop = newline === -1 ? original.length : newline;
    from = stop + 1;
    if (newline === -1) break;
  }
  return original.slice(cursor, Math.min(stop, hole.end));
}
