// The staged diff as the commit-message prompt sees it: whole when it fits, else summarized file by
// file within a token budget. And the clean-up of the model's message. Pure.

import { extractCode, looksLikeProse, stripThinking } from './extract';
import { estimateTokens, normalizeEol } from './text';
import { hasFence } from '../markdown/fences';

export interface FileDiff {
  path: string;
  status: 'added' | 'deleted' | 'renamed' | 'modified' | 'binary';
  added: number;
  removed: number;
  /** The file's section of the diff, from its `diff --git` line. */
  text: string;
}

/** Files whose content says little about intent: lockfiles, generated or minified output, snapshots. */
const NOISE = /(?:^|\/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|Cargo\.lock|go\.sum|poetry\.lock|Pipfile\.lock|composer\.lock|Gemfile\.lock|uv\.lock)$|\.min\.(?:js|css)$|\.map$|\.snap$|(?:^|\/)(?:dist|build|out|vendor)\//;

export function isNoise(path: string): boolean {
  return NOISE.test(path);
}

/** Splits a unified `git diff` into files, with their +/- counts. */
export function parseDiff(diff: string): FileDiff[] {
  const text = normalizeEol(diff);
  const sections = text.split(/^(?=diff --git )/m).filter((s) => s.startsWith('diff --git '));
  return sections.map((section) => {
    const lines = section.replace(/\n$/, '').split('\n');
    const head = /^diff --git (?:"?a\/(.+?)"? "?b\/(.+?)"?)$/.exec(lines[0]);
    let path = head?.[2] ?? head?.[1] ?? lines[0].slice('diff --git '.length);
    let status: FileDiff['status'] = 'modified';
    let added = 0;
    let removed = 0;
    let inHunk = false;
    for (const line of lines.slice(1)) {
      if (!inHunk) {
        if (line.startsWith('new file mode')) status = 'added';
        else if (line.startsWith('deleted file mode')) status = 'deleted';
        else if (line.startsWith('rename to ')) {
          status = 'renamed';
          path = line.slice('rename to '.length);
        } else if (line.startsWith('Binary files ') || line.startsWith('GIT binary patch')) status = 'binary';
        else if (line.startsWith('+++ ') && line !== '+++ /dev/null') path = line.slice(4).replace(/^b\//, '');
      }
      if (line.startsWith('@@')) inHunk = true;
      else if (inHunk && line.startsWith('+')) added++;
      else if (inHunk && line.startsWith('-')) removed++;
    }
    return { path, status, added, removed, text: section.replace(/\n$/, '') };
  });
}

/**
 * The diff without the sections of excluded files (secrets, keys): only a line saying they changed,
 * so the message can still mention them without their contents reaching the model.
 */
export function withoutExcluded(diff: string, excluded: (path: string) => boolean): string {
  const files = parseDiff(diff);
  if (!files.some((f) => excluded(f.path) || excluded(previousPath(f)))) return diff;
  return files
    .map((f) => (excluded(f.path) || excluded(previousPath(f)) ? `# ${f.path} changed (contents withheld: it matches qwenLocal.completion.exclude)` : f.text))
    .join('\n');
}

/** The a/ side of a section's `diff --git` line: the old name of a renamed file. */
function previousPath(f: FileDiff): string {
  return /^diff --git "?a\/(.+?)"? "?b\//.exec(f.text)?.[1] ?? f.path;
}

const STATUS_LETTER: Record<FileDiff['status'], string> = { added: 'A', deleted: 'D', renamed: 'R', modified: 'M', binary: 'B' };

function statLine(f: FileDiff): string {
  const counts = f.status === 'binary' ? 'binary' : `+${f.added} -${f.removed}`;
  return `${STATUS_LETTER[f.status]} ${f.path} (${counts})`;
}

/** The first lines of a section that fit in `chars`, with a note of what was left out. */
function truncateSection(f: FileDiff, chars: number): string {
  const lines = f.text.split('\n');
  const out: string[] = [];
  let used = 0;
  let shown = 0;
  for (const line of lines) {
    if (used + line.length + 1 > chars && out.length > 0) break;
    out.push(line);
    used += line.length + 1;
    if (/^[+-](?![+-]{2} )/.test(line)) shown++;
  }
  const left = f.added + f.removed - shown;
  if (out.length < lines.length) out.push(`[… ${left > 0 ? `${left} more changed lines` : 'more'} in this file not shown]`);
  return out.join('\n');
}

/**
 * The diff for the prompt within `budgetTokens`: unchanged when it fits; otherwise a list of all
 * changed files with their counts, then each file's diff cut to a fair share of what is left (small
 * files whole, large ones truncated; lockfiles, generated and binary files as their list line only).
 */
export function summarizeDiff(diff: string, budgetTokens: number, estimate: (text: string) => number = estimateTokens): string {
  // Tokens are not proportional to characters (digits, symbols): when a cut overshoots, cut shorter.
  let target = budgetTokens;
  for (let attempt = 1; ; attempt++) {
    const out = summarizeOnce(diff, target, estimate);
    const tokens = estimate(out);
    if (tokens <= budgetTokens || attempt === 4 || target <= 64) return out;
    target = Math.floor((target * budgetTokens) / tokens) - 1;
  }
}

function summarizeOnce(diff: string, budgetTokens: number, estimate: (text: string) => number): string {
  const text = normalizeEol(diff).trim();
  if (estimate(text) <= budgetTokens) return text;
  const files = parseDiff(text);
  if (files.length === 0) return text.slice(0, Math.max(0, Math.floor(budgetTokens * 3)));

  const totalAdded = files.reduce((n, f) => n + f.added, 0);
  const totalRemoved = files.reduce((n, f) => n + f.removed, 0);
  const header = `${files.length} files changed (+${totalAdded} -${totalRemoved}); the diff is too large to show whole, so long files are cut.`;
  const statLines = files.map(statLine);
  // The list itself may not fit: keep the largest changes.
  let stat = [header, ...statLines].join('\n');
  if (estimate(stat) > budgetTokens * 0.5) {
    const ranked = [...files].sort((a, b) => b.added + b.removed - (a.added + a.removed));
    const kept: string[] = [];
    for (const f of ranked) {
      const next = [header, ...kept, statLine(f)].join('\n');
      if (estimate(next) > budgetTokens * 0.5) break;
      kept.push(statLine(f));
    }
    stat = [header, ...kept, `… and ${files.length - kept.length} more files`].join('\n');
  }

  // Characters per token as the estimator sees it, to turn a token budget into a cut point.
  const charsPerToken = text.length / Math.max(1, estimate(text));
  let remaining = Math.max(0, budgetTokens - estimate(stat) - 8) * charsPerToken;
  const shown = files.filter((f) => !isNoise(f.path) && f.status !== 'binary');
  const sizes = new Map(shown.map((f) => [f, f.text.length + 1]));
  const portion = new Map<FileDiff, number>();
  // Water-filling: smallest first, each gets at most an equal share of what is left.
  const order = [...shown].sort((a, b) => (sizes.get(a) ?? 0) - (sizes.get(b) ?? 0));
  order.forEach((f, i) => {
    const share = remaining / (order.length - i);
    const size = sizes.get(f) ?? 0;
    const give = Math.min(size, share);
    portion.set(f, give);
    remaining -= give;
  });

  const bodies: string[] = [];
  for (const f of shown) {
    const chars = Math.floor(portion.get(f) ?? 0);
    if (chars >= f.text.length + 1) bodies.push(f.text);
    else if (chars >= 120) bodies.push(truncateSection(f, chars - 60));
  }
  return [stat, '', ...bodies].join('\n').trim();
}

/**
 * The commit message out of the model's answer: no reasoning, no fence, no "Commit message:" lead,
 * no wrapping quotes, no trailing spaces, at most one blank line in a row.
 */
export function cleanCommitMessage(answer: string, final: boolean): string {
  let text = normalizeEol(stripThinking(answer, final));
  if (hasFence(text)) text = extractCode(text, final);
  const lines = text.split('\n').map((l) => l.replace(/\s+$/, ''));
  // Leads such as "Here is the commit message:" (a subject line never ends with a colon).
  const isLead = (l: string) => /^(?:(?:suggested |proposed )?commit message:?)$/i.test(l.trim()) || (looksLikeProse(l) && l.trim().endsWith(':'));
  while (lines.length && (lines[0].trim() === '' || (isLead(lines[0]) && lines.slice(1).some((l) => l.trim())))) {
    lines.shift();
  }
  const label = /^\*{0,2}(?:commit message|subject)(?::\*{0,2}|\*{0,2}:)\s*(?=\S)/i;
  if (lines.length && label.test(lines[0])) lines[0] = lines[0].replace(label, '');
  let message = lines.join('\n').replace(/\n{3,}/g, '\n\n');
  if (final) message = message.trim();
  const quoted = /^(["'`])([\s\S]*)\1$/.exec(message.trim());
  if (quoted && !quoted[2].includes(quoted[1])) message = quoted[2].trim();
  return message;
}
