// Which links in an answer may be opened, and how. Pure.
// Only web pages (after the user confirms) and files inside the workspace (opened in the editor).
// Everything else — command:, vscode:, javascript:, data:, custom schemes — is refused.

export type LinkTarget =
  | { kind: 'external'; url: string }
  | { kind: 'file'; uri: string; line?: number }
  | { kind: 'relative'; path: string; line?: number }
  | { kind: 'rejected'; reason: string };

function lineOf(fragment: string): number | undefined {
  const m = /^L?(\d+)(?:[-:,].*)?$/i.exec(fragment);
  return m ? Number(m[1]) : undefined;
}

export function classifyLink(raw: string): LinkTarget {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const href = raw.trim().replace(/[\u0000-\u001f\u007f]/g, '');
  if (!href) return { kind: 'rejected', reason: 'empty link' };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') {
    try {
      const url = new URL(href);
      if (!url.hostname) return { kind: 'rejected', reason: 'no host' };
      return { kind: 'external', url: url.toString() };
    } catch {
      return { kind: 'rejected', reason: 'malformed address' };
    }
  }
  if (scheme === 'file') {
    try {
      const url = new URL(href);
      const line = url.hash ? lineOf(url.hash.slice(1)) : undefined;
      url.hash = '';
      return line === undefined ? { kind: 'file', uri: url.toString() } : { kind: 'file', uri: url.toString(), line };
    } catch {
      return { kind: 'rejected', reason: 'malformed file address' };
    }
  }
  // A Windows drive path ("C:\x") looks like a scheme of one letter.
  if (scheme && !/^[a-z]:[\\/]/i.test(href)) return { kind: 'rejected', reason: `${scheme}: links are not opened` };
  if (href.startsWith('//')) return { kind: 'rejected', reason: 'protocol-relative address' };
  if (href.startsWith('#')) return { kind: 'rejected', reason: 'in-page anchor' };
  // "src/app.ts#L12", "src/app.ts:12", "src/app.ts:12-20" (as @codebase answers cite), "./src/app.ts".
  let path = href;
  let line: number | undefined;
  const hash = path.indexOf('#');
  if (hash >= 0) {
    line = lineOf(path.slice(hash + 1));
    path = path.slice(0, hash);
  }
  const colon = /^(.*?):(\d+)(?:[-:]\d+)?$/.exec(path);
  if (colon && !/^[a-z]$/i.test(colon[1])) {
    path = colon[1];
    line ??= Number(colon[2]);
  }
  try {
    path = decodeURIComponent(path);
  } catch {
    return { kind: 'rejected', reason: 'malformed path' };
  }
  if (!path) return { kind: 'rejected', reason: 'empty path' };
  return line === undefined ? { kind: 'relative', path } : { kind: 'relative', path, line };
}

/** Resolves a relative link against a workspace folder; undefined if it would leave the folder. */
export function resolveInside(root: string, relative: string): string | undefined {
  const norm = (p: string) => p.replace(/\\/g, '/');
  const base = norm(root).replace(/\/+$/, '');
  const rel = norm(relative);
  // Absolute paths must already be inside the folder.
  const parts = rel.startsWith('/') || /^[a-z]:\//i.test(rel) ? rel.split('/') : `${base}/${rel}`.split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '.' || (part === '' && out.length > 0)) continue;
    if (part === '..') {
      if (out.length <= 1) return undefined;
      out.pop();
    } else out.push(part);
  }
  const resolved = out.join('/');
  const inside = process.platform === 'win32' ? resolved.toLowerCase().startsWith(`${base.toLowerCase()}/`) : resolved.startsWith(`${base}/`);
  return inside ? resolved : undefined;
}
