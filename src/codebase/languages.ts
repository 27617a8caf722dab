// What the chunker knows about each language: how to skip its strings and comments, and which
// lines define a name. Regular expressions, not parsers: a wrong guess costs a slightly worse chunk
// boundary, never a crash, and no grammar (tree-sitter's WASM builds weigh megabytes) ships in the
// 1 MB extension package.

export interface Syntax {
  /** Line comment openers. */
  lineComments: readonly string[];
  /** `/* … *\/` comments. */
  blockComments: boolean;
  /** Quotes whose strings end at the end of the line at the latest. */
  quotes: string;
  /** Quotes whose strings may span lines (JS template literals, Go raw strings, Rust strings). */
  multilineQuotes: string;
  /** Python's `'''` and `"""`. */
  tripleQuotes: boolean;
  /** `'x'` is a character literal, a lone `'` is not a string (Rust lifetimes, C chars). */
  charLiterals: boolean;
  /** JavaScript regular expression literals (`/[{]/`). */
  regexLiterals: boolean;
  /** Structure by indentation (Python) instead of brackets. */
  indentation: boolean;
}

export interface Language {
  id: string;
  syntax: Syntax;
  /** Lines (trimmed) that define names at the chunk's own level; every capture group is a name. */
  definitions: readonly RegExp[];
  /** Lines (trimmed) that define members inside a container (methods, fields, variants). */
  members: readonly RegExp[];
  /** A line (trimmed) that opens a container; group 1, if any, is its name. */
  container: RegExp;
}

const C_LIKE: Syntax = {
  lineComments: ['//'],
  blockComments: true,
  quotes: '"',
  multilineQuotes: '',
  tripleQuotes: false,
  charLiterals: true,
  regexLiterals: false,
  indentation: false,
};

const ID = '[A-Za-z_$][\\w$]*';

const TYPESCRIPT: Language = {
  id: 'ts',
  syntax: { ...C_LIKE, quotes: '\'"', multilineQuotes: '`', charLiterals: false, regexLiterals: true },
  definitions: [
    new RegExp(
      `^(?:export\\s+)?(?:default\\s+)?(?:declare\\s+)?(?:abstract\\s+)?(?:async\\s+)?` +
        `(?:function\\s*\\*?|class|interface|type|enum|const\\s+enum|namespace|module)\\s+(${ID}(?:\\.${ID})*)`,
    ),
    new RegExp(`^(?:export\\s+)?(?:declare\\s+)?(?:const|let|var)\\s+(${ID})`),
    new RegExp(`^(?:module\\.)?exports\\.(${ID})\\s*=`),
    new RegExp(`^(${ID})\\.prototype\\.(${ID})\\s*=`),
  ],
  members: [
    new RegExp(
      `^(?:(?:public|private|protected|static|readonly|declare|abstract|override|async|get|set|accessor)\\s+)*` +
        `\\*?\\s*#?(${ID})\\s*[?!]?\\s*(?:<[^>]*>)?\\s*[(:=;]`,
    ),
  ],
  container: new RegExp(
    `^(?:export\\s+)?(?:default\\s+)?(?:declare\\s+)?(?:abstract\\s+)?(?:class|interface|enum|const\\s+enum|namespace|module)\\s+(${ID}(?:\\.${ID})*)|^(?:export\\s+)?type\\s+(${ID})[^=]*=\\s*\\{|^declare\\s+global\\b`,
  ),
};

const PYTHON: Language = {
  id: 'python',
  syntax: {
    lineComments: ['#'],
    blockComments: false,
    quotes: '\'"',
    multilineQuotes: '',
    tripleQuotes: true,
    charLiterals: false,
    regexLiterals: false,
    indentation: true,
  },
  definitions: [/^(?:async\s+)?def\s+(\w+)/, /^class\s+(\w+)/, /^([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)/],
  members: [/^(?:async\s+)?def\s+(\w+)/, /^class\s+(\w+)/, /^([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)/],
  container: /^class\s+(\w+)/,
};

const GO: Language = {
  id: 'go',
  syntax: { ...C_LIKE, multilineQuotes: '`' },
  definitions: [/^func\s+(?:\(\s*\w*\s+\*?([\w.]+)[^)]*\)\s*)?(\w+)/, /^type\s+(\w+)/, /^(?:var|const)\s+(\w+)/],
  members: [/^(\w+)\b/],
  container: /^type\s+(\w+)\s+(?:struct|interface)\b|^(?:type|const|var)\s*\(/,
};

const RUST_VIS = '(?:pub(?:\\([^)]*\\))?\\s+)?';
const RUST_FN = new RegExp(
  `^${RUST_VIS}(?:(?:default|async|const|unsafe|extern(?:\\s+"[^"]*")?)\\s+)*(?:fn|struct|enum|trait|type|mod|const|static|union)\\s+(\\w+)`,
);
const RUST_IMPL = /^(?:unsafe\s+)?impl\b(?:\s*<[^>]*>)?\s+(?:[\w:]+(?:<[^>]*>)?\s+for\s+)?([\w:]+)/;

const RUST: Language = {
  id: 'rust',
  syntax: { ...C_LIKE, multilineQuotes: '"', quotes: '' },
  definitions: [RUST_FN, /^macro_rules!\s*(\w+)/, RUST_IMPL],
  members: [RUST_FN, new RegExp(`^${RUST_VIS}(\\w+)\\s*[:,({]`)],
  container: new RegExp(`^${RUST_VIS}(?:struct|enum|trait|mod|union)\\s+(\\w+)|${RUST_IMPL.source.slice(1)}`),
};

const JAVA_MODS = '(?:(?:public|protected|private|static|final|abstract|sealed|non-sealed|strictfp|synchronized|native|default|transient|volatile)\\s+)*';

const JAVA: Language = {
  id: 'java',
  syntax: C_LIKE,
  definitions: [new RegExp(`^${JAVA_MODS}(?:class|interface|enum|record|@interface)\\s+(\\w+)`)],
  members: [
    new RegExp(`^${JAVA_MODS}(?:class|interface|enum|record|@interface)\\s+(\\w+)`),
    new RegExp(`^${JAVA_MODS}(?:<[^>]+>\\s+)?(?:[\\w.$]+(?:<.*>)?(?:\\[\\])*\\s+)?(\\w+)\\s*\\(`),
    new RegExp(`^${JAVA_MODS}[\\w.$]+(?:<.*>)?(?:\\[\\])*\\s+(\\w+)\\s*(?:=|;)`),
  ],
  container: new RegExp(`^${JAVA_MODS}(?:class|interface|enum|record|@interface)\\s+(\\w+)`),
};

const C_FUNCTION = /^(?:[\w:*&<>,~]+\s+)*?[*&]*([A-Za-z_][\w:~]*)\s*\((?!.*;\s*$)/;

const C: Language = {
  id: 'c',
  syntax: C_LIKE,
  definitions: [
    /^#\s*define\s+(\w+)/,
    /^(?:typedef\s+)?(?:struct|class|union|enum(?:\s+class)?)\s+(\w+)/,
    /^namespace\s+(\w+)/,
    /^typedef\b.*?\b(\w+)\s*(?:\[[^\]]*\])?;\s*$/,
    C_FUNCTION,
  ],
  members: [
    /^(?:(?:virtual|static|inline|explicit|constexpr|const|unsigned|signed)\s+)*[\w:<>*&,\s]*?(~?\b\w+)\s*\(/,
    /\b(\w+)\s*(?:\[[^\]]*\])?\s*(?:=[^;]*)?;$/,
  ],
  container: /^(?:typedef\s+)?(?:struct|class|union|enum(?:\s+class)?|namespace)\s+(\w+)/,
};

/** Markdown, configuration and everything else: blank-line blocks; headings name them. */
export const TEXT: Language = {
  id: 'text',
  syntax: { ...C_LIKE, lineComments: [], blockComments: false, quotes: '', charLiterals: false },
  definitions: [/^#{1,6}\s+(.+?)\s*#*$/],
  members: [],
  container: /(?!)/,
};

const BY_EXTENSION: Record<string, Language> = {};
for (const [language, extensions] of [
  [TYPESCRIPT, 'ts tsx mts cts js jsx mjs cjs'],
  [PYTHON, 'py pyi pyw'],
  [GO, 'go'],
  [RUST, 'rs'],
  [JAVA, 'java kt kts scala cs swift dart'],
  [C, 'c h cc cpp cxx c++ hpp hh hxx ino cu m mm'],
] as const) {
  for (const extension of extensions.split(' ')) BY_EXTENSION[extension] = language;
}

export function languageFor(path: string): Language {
  const dot = path.lastIndexOf('.');
  const slash = path.lastIndexOf('/');
  if (dot <= slash + 1) return TEXT;
  return BY_EXTENSION[path.slice(dot + 1).toLowerCase()] ?? TEXT;
}

/** Words a definition pattern can catch that are never the name of anything. */
export const NOT_NAMES = new Set(
  (
    'if else for while do switch case default return break continue new delete sizeof typeof ' +
    'instanceof function await yield throw try catch finally super this void in of is not and or ' +
    'elif with except assert lambda pass raise from import export defined let const var static ' +
    'public private protected goto'
  ).split(' '),
);
