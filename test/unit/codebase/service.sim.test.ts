// The codebase service over a workspace held in memory and the Ollama simulator's /api/embed,
// through the real `ollama` client: build, exclusion (secrets never reach the server), incremental
// updates, resuming after the server went away, words only without an embedding model, pausing.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OllamaBackend } from '../../../src/backend/ollama';
import { embedderFrom, chooseEmbeddingModel } from '../../../src/codebase/embeddingModel';
import { CodebaseService, type WorkspaceSource } from '../../../src/codebase/service';
import { IndexStore } from '../../../src/codebase/store';
import { silentLogger } from '../../../src/log';
import { OllamaSimulator } from '../../sim/simulator';
import { excludeSecrets, SECRET, workspaceFiles } from './workspace';

function memorySource(files: Map<string, string>): WorkspaceSource & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async list() {
      return { files: [...files.keys()].map((path) => ({ path, uri: `file:///ws/${path}` })), truncated: false };
    },
    async read(file, maxBytes) {
      reads.push(file.path);
      const text = files.get(file.path);
      return text !== undefined && text.length > maxBytes ? 'too-large' : text;
    },
  };
}

describe('codebase service with the Ollama simulator', function () {
  this.timeout(20_000);
  const sim = new OllamaSimulator({ timing: { loadMs: 1, tokenMs: 1 } });
  let folder: string;
  let files: Map<string, string>;
  let source: ReturnType<typeof memorySource>;

  before(() => sim.start());
  after(() => sim.stop());
  beforeEach(() => {
    sim.reset();
    sim.addModel({ name: 'nomic-embed-text', family: 'nomic-bert', capabilities: ['embedding'] });
    folder = mkdtempSync(join(tmpdir(), 'qwen-codebase-'));
    files = workspaceFiles();
    source = memorySource(files);
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  function service(options: { busy?: () => boolean; setting?: string } = {}): CodebaseService {
    const backend = new OllamaBackend({ host: sim.url });
    return new CodebaseService({
      source,
      store: new IndexStore(folder),
      excluded: excludeSecrets,
      embedder: (signal) => embedderFrom(backend, options.setting ?? 'auto', signal),
      busy: options.busy,
      log: silentLogger,
      debounceMs: 10,
    });
  }

  it('indexes the workspace with vectors; secrets are never read, embedded or found', async () => {
    const s = service();
    const report = await s.build();
    assert.equal(s.embedder.model, 'nomic-embed-text:latest');
    assert.ok(report.indexed >= 6, `indexed ${report.indexed}`);
    assert.equal(report.skipped.excluded, 2);
    assert.equal(report.pending, 0);
    assert.ok(report.embedded > 0);
    assert.ok(!source.reads.includes('.env') && !source.reads.includes('deploy/keys/server.pem'), 'excluded files are not even read');
    const sent = sim.requests.filter((r) => r.endpoint === 'embed').map((r) => JSON.stringify(r.body));
    assert.ok(sent.length > 0);
    assert.ok(sent.every((body) => !body.includes(SECRET)), 'no secret in any embedding request');
    const result = await s.search('OPENAI_API_KEY DATABASE_URL private key');
    assert.ok(result.hits.every((h) => !h.chunk.text.includes(SECRET)));
    assert.equal(result.vectors, 'used');
  });

  it('a second build reads again but embeds nothing unchanged; a restart loads the saved index', async () => {
    await service().build();
    const before = sim.requests.filter((r) => r.endpoint === 'embed').length;
    const again = service();
    const load = await again.ensureLoaded();
    assert.equal(load?.status, 'loaded');
    const report = await again.build();
    assert.equal(report.indexed, 0);
    assert.ok(report.unchanged >= 6);
    assert.equal(sim.requests.filter((r) => r.endpoint === 'embed').length, before, 'no chunk embedded twice');
  });

  it('updates on save, rename and delete after the debounce', async () => {
    const s = service();
    await s.build();
    files.set('src/retry.ts', 'export function computeRetryBackoff(attempt: number): number {\n  return 2 ** attempt * 100;\n}\n');
    s.changed('src/retry.ts');
    await s.flush();
    let hits = (await s.search('computeRetryBackoff')).hits;
    assert.equal(hits[0]?.chunk.path, 'src/retry.ts');
    files.set('lib/retry.ts', files.get('src/retry.ts') as string);
    files.delete('src/retry.ts');
    s.renamed('src/retry.ts', 'lib/retry.ts');
    await s.flush();
    hits = (await s.search('computeRetryBackoff')).hits;
    assert.equal(hits[0]?.chunk.path, 'lib/retry.ts');
    files.delete('lib/retry.ts');
    s.deleted('lib/retry.ts');
    await s.flush();
    assert.ok((await s.search('computeRetryBackoff')).hits.every((h) => h.chunk.path !== 'lib/retry.ts'));
  });

  it('the server going away mid-index keeps what was embedded; the next build resumes there', async () => {
    let embeds = 0;
    sim.addFault({ kind: 'reset', endpoint: 'embed', when: () => ++embeds > 1 });
    const s = service();
    const first = await s.build();
    assert.ok(first.embedError !== undefined, 'the failure is reported');
    assert.ok(first.embedded > 0 && first.pending > 0, `embedded ${first.embedded}, pending ${first.pending}`);
    sim.clearFaults();
    const texts = () => sim.requests.filter((r) => r.endpoint === 'embed' && r.status === 200).reduce((n, r) => n + (r.body?.input as unknown[]).length, 0);
    const sentBefore = texts();
    const second = await service().build();
    assert.equal(second.pending, 0);
    assert.equal(texts() - sentBefore, first.pending, 'only the pending chunks were embedded');
  });

  it('an embedding model removed after the build: one failed attempt, later saves do not ask again until the next build', async () => {
    const s = service();
    await s.build();
    sim.removeModel('nomic-embed-text');
    const embeds = () => sim.requests.filter((r) => r.endpoint === 'embed').length;
    const before = embeds();
    for (const n of [1, 2, 3]) {
      files.set(`src/added${n}.ts`, `export function addedNumber${n}(): number {\n  return ${n};\n}\n`);
      s.changed(`src/added${n}.ts`);
      await s.flush();
    }
    assert.equal(embeds() - before, 1, 'one attempt, not one per save');
    assert.equal((await s.search('addedNumber3')).hits[0]?.chunk.path, 'src/added3.ts', 'still found by words');
    sim.addModel({ name: 'nomic-embed-text', family: 'nomic-bert', capabilities: ['embedding'] });
    const report = await s.build();
    assert.equal(report.pending, 0, 'the next build embeds what waited');
  });

  it('without an embedding model it searches by words and says how to get vectors', async () => {
    sim.removeModel('nomic-embed-text');
    const s = service();
    const report = await s.build();
    assert.equal(s.embedder.model, undefined);
    assert.match(s.embedder.why, /words only/);
    assert.equal(report.embedded, 0);
    assert.equal((await s.search('parse')).vectors, 'none');
    assert.match(chooseEmbeddingModel('auto', ['qwen2.5-coder:7b']).why, /ollama pull nomic-embed-text/);
  });

  it('waits while the user types, then finishes', async () => {
    let typing = true;
    const s = service({ busy: () => typing });
    let paused = false;
    const done = s.build((p) => {
      if (p.paused) paused = true;
    });
    await sim.waitFor(() => paused || undefined);
    assert.equal(s.index.fileCount, 0, 'nothing read while typing');
    typing = false;
    const report = await done;
    assert.ok(report.indexed >= 6);
  });

  it('cancels', async () => {
    const s = service({ busy: () => true });
    const done = s.build();
    await sim.waitFor(() => s.isPaused || undefined);
    s.cancel();
    assert.equal((await done).cancelled, true);
  });
});
