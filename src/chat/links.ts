// Which links in an answer may be opened, and how. Pure.
// Only web pages (after the user confirms) and files inside the workspace (opened in the editor).
// Everything else — command:, vscode:, javascript:, data:, custom schemes — is refused.

import type { Attachment } from './types';

/** `line`/`endLine`: 1-based; `endLine` only for a range ("#L5-9", "src/a.ts:5-9"). */
export type LinkTarget =
  | { kind: 'external'; url: string }
  | { kind: 'file'; uri: string; line?: number; endLine?: number }
  | { kind: 'relative'; path: string; line?: number; endLine?: number }
  | { kind: 'rejected'; reason: string };

interface Lines {
  line?: number;
  endLine?: number;
}

function linesOf(fragment: string): Lines {
  const m = /^L?(\d+)(?:-L?(\d+)$|[-:,].*)?$/i.exec(fragment);
  if (!m) return {};
  const line = Number(m[1]);
  const end = m[2] === undefined ? undefined : Number(m[2]);
  return end !== undefined && end > line ? { line, endLine: end } : { line };
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
      const lines = url.hash ? linesOf(url.hash.slice(1)) : {};
      url.hash = '';
      return { kind: 'file', uri: url.toString(), ...lines };
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
  let lines: Lines = {};
  const hash = path.indexOf('#');
  if (hash >= 0) {
    lines = linesOf(path.slice(hash + 1));
    path = path.slice(0, hash);
  }
  const colon = /^(.*?):(\d+(?:[-:]\d+)?)$/.exec(path);
  if (colon && !/^[a-z]$/i.test(colon[1])) {
    path = colon[1];
    if (lines.line === undefined) lines = linesOf(colon[2].replace(':', ','));
  }
  try {
    path = decodeURIComponent(path);
  } catch {
    return { kind: 'rejected', reason: 'malformed path' };
  }
  if (!path) return { kind: 'rejected', reason: 'empty path' };
  return { kind: 'relative', path, ...lines };
}

/**
 * Where a chip under a sent message opens: its file (a file URI, or the workspace-relative path),
 * at its line range. The host checks it like any link (inside the workspace, not excluded).
 * Plain text and unsaved documents have no place to open.
 */
export function attachmentLink(a: Attachment): string | undefined {
  if (a.kind === 'text') return undefined;
  const range = a.range ? `#L${a.range.startLine}${a.range.endLine > a.range.startLine ? `-${a.range.endLine}` : ''}` : '';
  if (a.uri !== undefined) return a.uri.startsWith('file:') ? `${a.uri}${range}` : undefined;
  if (!a.path || /^[a-z][a-z0-9+.-]*:/i.test(a.path)) return undefined;
  return `${a.path.split('/').map(encodeURIComponent).join('/')}${range}`;
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
