import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chunkFile, DEFAULT_CHUNK_OPTIONS } from '../../../src/codebase/chunker';
import { chunkLocation, type Chunk } from '../../../src/codebase/types';

const FIXTURES = join(__dirname, '../../fixtures/codebase');
const ROOT = join(__dirname, '../../..');

function chunksOf(file: string): { text: string; chunks: Chunk[] } {
  const text = readFileSync(join(FIXTURES, file), 'utf8');
  return { text, chunks: chunkFile(file, text) };
}

/** The chunk defining `name`, which must exist. */
function defining(chunks: Chunk[], name: string): Chunk {
  const chunk = chunks.find((c) => c.symbols.includes(name));
  assert.ok(chunk, `no chunk defines ${name}; symbols: ${chunks.map((c) => c.symbols.join(',')).join(' | ')}`);
  return chunk;
}

/** Every non-blank line lies in exactly one chunk, chunks are in order, texts are the lines. */
function assertCovers(text: string, chunks: Chunk[]): void {
  const lines = text.split(/\r?\n/);
  let next = 1;
  for (const chunk of chunks) {
    assert.ok(chunk.startLine >= next, `${chunkLocation(chunk)} overlaps the previous chunk`);
    for (let line = next; line < chunk.startLine; line++) assert.equal(lines[line - 1].trim(), '', `line ${line} is in no chunk`);
    assert.equal(chunk.text, lines.slice(chunk.startLine - 1, chunk.endLine).join('\n'));
    const longestLine = Math.max(...chunk.text.split('\n').map((l) => l.length));
    assert.ok(chunk.text.length <= Math.max(DEFAULT_CHUNK_OPTIONS.maxChars, longestLine), `${chunkLocation(chunk)} is too large`);
    next = chunk.endLine + 1;
  }
  for (let line = next; line <= lines.length; line++) assert.equal(lines[line - 1].trim(), '', `line ${line} is in no chunk`);
}

/** The 1-based line where `needle` first occurs. */
function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  assert.notEqual(at, -1, needle);
  return text.slice(0, at).split('\n').length;
}

describe('codebase chunker on real files', () => {
  it('TypeScript (minisearch TreeIterator.ts): the class keeps its methods, its doc comment stays attached', () => {
    const { text, chunks } = chunksOf('TreeIterator.ts');
    assertCovers(text, chunks);
    const cls = defining(chunks, 'TreeIterator');
    assert.equal(cls.startLine, lineOf(text, '/**\n * @private'));
    for (const method of ['dive', 'backtrack', 'key', 'value', 'result']) assert.ok(cls.symbols.includes(method), method);
    assert.ok(defining(chunks, 'last').startLine > cls.endLine);
    assert.ok(chunks.every((c) => c.language === 'ts'));
  });

  it('JavaScript (picomatch utils.js): CommonJS exports are the names', () => {
    const { text, chunks } = chunksOf('picomatch_utils.js');
    assertCovers(text, chunks);
    for (const name of ['isObject', 'escapeRegex', 'toPosixSlashes', 'removePrefix', 'wrapOutput', 'basename']) defining(chunks, name);
  });

  it('Python (colorsys.py): one function per chunk or a few small ones, at their def lines', () => {
    const { text, chunks } = chunksOf('colorsys.py');
    assertCovers(text, chunks);
    for (const name of ['rgb_to_yiq', 'yiq_to_rgb', 'rgb_to_hls', 'hls_to_rgb', '_v', 'rgb_to_hsv', 'hsv_to_rgb']) {
      const chunk = defining(chunks, name);
      assert.ok(chunk.text.includes(`def ${name}(`));
    }
    assert.equal(defining(chunks, 'hsv_to_rgb').startLine, lineOf(text, 'def hsv_to_rgb('));
    // The module docstring (with no structure) stays whole in the first chunk.
    assert.equal(chunks[0].startLine, 1);
    assert.ok(defining(chunks, 'ONE_THIRD') === chunks[0]);
  });

  it('Go (flatted.go): doc comments stay with their func; a long func is split and named after it', () => {
    const { text, chunks } = chunksOf('flatted.go');
    assertCovers(text, chunks);
    const parse = defining(chunks, 'Parse');
    assert.equal(parse.startLine, lineOf(text, '// Parse converts'));
    for (const name of ['Stringify', 'revive', 'loop', 'ref', 'ToJSON', 'FromJSON', 'flattedIndex']) defining(chunks, name);
    const stringifyParts = chunks.filter((c) => c.container === 'Stringify');
    assert.ok(stringifyParts.length >= 2, 'Stringify (130 lines) is split into parts that name it');
    assert.ok(stringifyParts.every((c) => c.startLine >= lineOf(text, '// Stringify converts')));
  });

  it('Rust (error_codes main.rs): fns, enums, macros; `///` docs attached; lifetimes do not break nesting', () => {
    const { text, chunks } = chunksOf('error_codes_main.rs');
    assertCovers(text, chunks);
    assert.equal(defining(chunks, 'render_markdown').startLine, lineOf(text, '/// Output an HTML page'));
    const outputFormat = defining(chunks, 'OutputFormat');
    for (const variant of ['HTML', 'Markdown', 'Unknown']) assert.ok(outputFormat.symbols.includes(variant), variant);
    for (const name of ['define_error_codes_table', 'add_rust_attribute_on_codeblock', 'render_html', 'parse_args', 'main']) defining(chunks, name);
  });

  it('Java (StringJoiner.java): the large class is split into its members, each with its Javadoc', () => {
    const { text, chunks } = chunksOf('StringJoiner.java');
    assertCovers(text, chunks);
    for (const name of ['setEmptyValue', 'toString', 'add', 'merge', 'compactElts', 'length']) {
      assert.equal(defining(chunks, name).container, 'StringJoiner', name);
    }
    const merge = defining(chunks, 'merge');
    assert.ok(merge.text.trimStart().startsWith('/**'), 'the Javadoc of merge() opens its chunk');
    assert.ok(chunks.filter((c) => c.container === 'StringJoiner').length >= 5);
  });

  it('C (zlib zpipe.c): functions with their leading comment, #defines named', () => {
    const { text, chunks } = chunksOf('zpipe.c');
    assertCovers(text, chunks);
    assert.equal(defining(chunks, 'zerr').startLine, lineOf(text, '/* report a zlib or i/o error */'));
    for (const name of ['def', 'inf', 'main', 'CHUNK']) defining(chunks, name);
  });

  it('C++ (parcel watcher Debounce.cc): qualified methods named whole and by their last part', () => {
    const { text, chunks } = chunksOf('Debounce.cc');
    assertCovers(text, chunks);
    for (const name of ['Debounce::getShared', 'getShared', 'Debounce::notifyIfReady', 'notify', 'wait']) defining(chunks, name);
  });

  it('other text (minisearch README.md): blocks within the caps, headings as names', () => {
    const text = readFileSync(join(ROOT, 'node_modules/minisearch/README.md'), 'utf8');
    const chunks = chunkFile('README.md', text);
    assertCovers(text, chunks);
    assert.ok(chunks.length > 5);
    assert.ok(chunks.every((c) => c.language === 'text'));
    assert.ok(chunks.some((c) => c.symbols.includes('Installation')));
  });

  it('a real TypeScript declaration file nests: namespace members are chunked with their container', () => {
    const text = readFileSync(join(ROOT, 'node_modules/typescript/lib/typescript.d.ts'), 'utf8');
    const chunks = chunkFile('typescript.d.ts', text);
    assertCovers(text, chunks);
    const createProgram = chunks.find((c) => c.symbols.includes('createProgram'));
    assert.ok(createProgram);
    assert.match(createProgram.container ?? '', /\bts\b/);
  });
});

describe('codebase chunker on tricky syntax', () => {
  it('braces in strings, templates, regular expressions and comments do not end a function', () => {
    const source = [
      'export function a(): string {',
      "  const s = '}}}';",
      '  const t = `${s} }} ` + "{";',
      '  const r = /[}]+/g; // }',
      '  /* } */',
      '  return s + t + r.source;',
      '}',
      '',
      'export function b(): number {',
      '  return 1;',
      '}',
    ].join('\n');
    const chunks = chunkFile('x.ts', source, { minChars: 0 });
    assert.deepEqual(
      chunks.map((c) => [c.startLine, c.endLine, c.symbols]),
      [
        [1, 7, ['a']],
        [9, 11, ['b']],
      ],
    );
  });

  it('Python decorators stay with their def; a large class splits into methods named by the class', () => {
    const methods = Array.from({ length: 12 }, (_, i) => [
      '    @property',
      `    def value_${i}(self):`,
      `        """Value number ${i}, documented at some length so that the class grows past the cap."""`,
      `        return self._values[${i}] * ${i} + sum(x for x in self._values if x > ${i})`,
      '',
    ]).flat();
    const source = ['class Holder:', '    """Holds values."""', '', ...methods].join('\n');
    const chunks = chunkFile('holder.py', source);
    assert.ok(chunks.length > 1);
    const seventh = defining(chunks, 'value_7');
    assert.equal(seventh.container, 'Holder');
    assert.ok(seventh.text.includes('@property\n    def value_7'));
  });
});
