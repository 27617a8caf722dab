// .gitignore files as one predicate over workspace-relative paths: comments, `!` negation (the last
// matching line wins), a leading or inner `/` anchoring to the file's folder, a trailing `/` for
// folders only, and patterns without a slash matching at any depth. Each file applies under its own
// folder. Not modelled: escaped `\#`/`\!` and trailing-space escapes (rare in practice).

import picomatch from 'picomatch';

interface Rule {
  negated: boolean;
  /** Matches the path itself (files and folders). */
  self?: (path: string) => boolean;
  /** Matches paths inside a matched folder. */
  inside: (path: string) => boolean;
}

export interface IgnoreFile {
  /** The folder holding the .gitignore, workspace-relative ('' for the root). */
  dir: string;
  text: string;
}

export function gitignoreMatcher(files: readonly IgnoreFile[]): (path: string) => boolean {
  const rules: Rule[] = [];
  // Shallower files first: a deeper .gitignore overrides its parents, as in git.
  for (const file of [...files].sort((a, b) => depth(a.dir) - depth(b.dir))) {
    const base = file.dir === '' ? '' : `${file.dir.replace(/\/+$/, '')}/`;
    for (const raw of file.text.split(/\r?\n/)) {
      let line = raw.replace(/\s+$/, '');
      if (line === '' || line.startsWith('#')) continue;
      const negated = line.startsWith('!');
      if (negated) line = line.slice(1);
      const dirOnly = line.endsWith('/');
      line = line.replace(/\/+$/, '');
      if (line === '') continue;
      const anchored = line.includes('/');
      const glob = base + (anchored ? line.replace(/^\//, '') : `**/${line}`);
      const options = { dot: true };
      rules.push({ negated, self: dirOnly ? undefined : picomatch(glob, options), inside: picomatch(`${glob}/**`, options) });
    }
  }
  if (rules.length === 0) return () => false;
  return (path) => {
    let ignored = false;
    for (const rule of rules) {
      if (rule.negated === ignored && (rule.self?.(path) || rule.inside(path))) ignored = !rule.negated;
    }
    return ignored;
  };
}

function depth(dir: string): number {
  return dir === '' ? 0 : dir.split('/').length;
}
