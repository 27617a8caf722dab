// Getting code out of a model's answer, robustly, both for the final answer and while it streams.
// Pure. Models wrap code in a fence (with or without a language tag), sometimes after a sentence,
// sometimes with `<think>` reasoning first, sometimes with no fence at all.

import { closesFence, fencedBlocks, openingFence } from '../markdown/fences';
import { normalizeEol } from './text';

const SPECIAL_TOKENS = /<\|(?:im_start|im_end|endoftext|fim_prefix|fim_middle|fim_suffix|file_sep|repo_name)\|>/g;

/**
 * Drops `<think>…</think>` parts. While streaming (final = false) an open `<think>` hides everything
 * after it, and a partial tag at the very end ("<thi") is held back. A lone `</think>` (the template
 * opened the tag in the prompt) drops everything before it.
 */
export function stripThinking(answer: string, final: boolean): string {
  let text = answer.replace(SPECIAL_TOKENS, '');
  text = text.replace(/<think>[\s\S]*?<\/think>/g, '');
  const close = text.indexOf('</think>');
  if (close >= 0) text = text.slice(close + '</think>'.length);
  const open = text.indexOf('<think>');
  if (open >= 0) text = text.slice(0, open);
  if (!final) {
    const partial = /<\/?t?h?i?n?k?$/.exec(text);
    if (partial && partial[0].length > 0) text = text.slice(0, partial.index);
  }
  return text;
}

/** Sentences models put before unfenced code ("Here is the updated function:"). */
const PROSE_LEAD =
  /^(?:here(?:'s| is| are)|sure|certainly|of course|okay|ok\b|below|the (?:updated|modified|fixed|corrected|rewritten|following|refactored)|i(?:'ve| have| added| updated| changed)|this (?:version|code)|updated code|fixed code)\b.*$/i;

/** Line starts that mark code even when the line reads like a sentence. */
const CODE_START =
  /^(?:(?:def|class|if|elif|else|for|while|try|except|finally|with|async|await|case|match|return|import|from|export|const|let|var|function|public|private|protected|static|fn|func|package|use|struct|enum|interface|type)\b|#|\/\/|\/\*|\*|@|<|--)/;

/** A sentence rather than code: several words, a capital first, no brackets or operators, ending like a sentence. */
export function looksLikeProse(line: string): boolean {
  const t = line.trim();
  if (PROSE_LEAD.test(t)) return /[:.!]$/.test(t);
  if (!t || CODE_START.test(t) || /[(){}[\];=<>]/.test(t)) return false;
  return /^[A-Z]/.test(t) && t.split(/\s+/).length >= 2 && /[:.!]$/.test(t);
}

function trimBlankEdges(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start].trim() === '') start++;
  while (end > start && lines[end - 1].trim() === '') end--;
  return lines.slice(start, end);
}

/**
 * The code of an answer: the body of the first fenced block; the whole answer (minus a leading
 * sentence) when there is no fence. While streaming, an unterminated fence yields what arrived so far
 * and a half-written closing fence is held back. The result has LF line endings and no leading or
 * trailing blank lines; the first line keeps its indentation.
 */
export function extractCode(answer: string, final = true): string {
  const text = normalizeEol(stripThinking(answer, final));
  const lines = text.split('\n');
  // While streaming, the last line may be incomplete; hold it back if it could be a fence.
  if (!final && lines.length > 0 && /^\s*(`{1,}|~{1,})[\w+#.-]*$/.test(lines[lines.length - 1])) lines.pop();
  // A whole answer: its first fenced block as Markdown reads it (also inside a list or a quote).
  const first = final ? fencedBlocks(text)[0] : undefined;
  if (first) return trimBlankEdges(first.code.split('\n')).join('\n');

  for (let i = 0; i < lines.length; i++) {
    const open = openingFence(lines[i]);
    if (!open) continue;
    // While streaming, the opening line itself may still be growing ("```typ"): no body yet.
    if (!final && i === lines.length - 1) return '';
    const body: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      if (closesFence(lines[j], open)) return trimBlankEdges(body).join('\n');
      body.push(lines[j]);
    }
    return trimBlankEdges(body).join('\n'); // unterminated: everything after the opening fence
  }

  // No fence. While streaming, wait for the first line to be complete before deciding it is code.
  if (!final && lines.length < 2) return '';
  const kept = trimBlankEdges(lines);
  while (kept.length > 1 && looksLikeProse(kept[0])) {
    kept.shift();
    while (kept.length && kept[0].trim() === '') kept.shift();
  }
  // A lone sentence announcing code ("Here you go:") is not code; while streaming, the code may follow.
  if (kept.length === 1 && looksLikeProse(kept[0]) && (!final || /:$/.test(kept[0].trim()))) return '';
  return kept.join('\n');
}
