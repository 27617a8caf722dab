// Syntax highlighting for code blocks: highlight.js core with the languages people ask about most
// (the whole grammar set would weigh ~900 KB; these are ~130 KB minified).
// Output is escaped text inside <span class="hljs-…"> only; it still goes through the sanitizer.

import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import dockerfile from 'highlight.js/lib/languages/dockerfile';
import go from 'highlight.js/lib/languages/go';
import ini from 'highlight.js/lib/languages/ini';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import kotlin from 'highlight.js/lib/languages/kotlin';
import lua from 'highlight.js/lib/languages/lua';
import makefile from 'highlight.js/lib/languages/makefile';
import markdown from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import plaintext from 'highlight.js/lib/languages/plaintext';
import powershell from 'highlight.js/lib/languages/powershell';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

const LANGUAGES = {
  bash, c, cpp, csharp, css, diff, dockerfile, go, ini, java, javascript, json, kotlin, lua, makefile,
  markdown, php, plaintext, powershell, python, ruby, rust, shell, sql, typescript, xml, yaml,
};

for (const [name, grammar] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, grammar);
// Names models write that the grammars do not list themselves (VS Code language ids among them).
hljs.registerAliases(['jsonc', 'json5'], { languageName: 'json' });
hljs.registerAliases(['typescriptreact', 'tsx', 'mts', 'cts'], { languageName: 'typescript' });
hljs.registerAliases(['javascriptreact', 'jsx', 'mjs', 'cjs'], { languageName: 'javascript' });
hljs.registerAliases(['scss', 'less'], { languageName: 'css' });
hljs.registerAliases(['toml', 'properties', 'env'], { languageName: 'ini' });
hljs.registerAliases(['vue', 'svelte', 'html', 'svg'], { languageName: 'xml' });
hljs.registerAliases(['text', 'txt', 'plain', 'output', 'log'], { languageName: 'plaintext' });
hljs.registerAliases(['zsh', 'sh', 'fish'], { languageName: 'bash' });
hljs.registerAliases(['ps1', 'pwsh'], { languageName: 'powershell' });
hljs.registerAliases(['objective-c', 'objc', 'h', 'hpp', 'cuda'], { languageName: 'cpp' });
hljs.registerAliases(['kt', 'kts'], { languageName: 'kotlin' });
hljs.registerAliases(['patch'], { languageName: 'diff' });

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

/** The class-safe language name of a fence's info string ("ts title=x" → "ts"), or ''. */
export function fenceLanguage(info: string | undefined): string {
  const word = /^[^\s{:,]*/.exec((info ?? '').trim())?.[0] ?? '';
  return word.toLowerCase().replace(/[^a-z0-9_+#.-]/g, '');
}

export function isKnownLanguage(lang: string): boolean {
  return !!lang && !!hljs.getLanguage(lang);
}

/** Highlighted markup for `code`; plain escaped text for unknown languages. */
export function highlightCode(code: string, lang: string): string {
  if (!isKnownLanguage(lang)) return escapeHtml(code);
  try {
    return hljs.highlight(code, { language: lang, ignoreIllegals: true }).value;
  } catch {
    return escapeHtml(code);
  }
}
