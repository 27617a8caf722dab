import * as assert from 'node:assert/strict';
import type { PullProgress } from '../../../src/backend/backend';
import { BackendError } from '../../../src/backend/errors';
import {
  modelSource,
  PullTracker,
  describePullError,
  formatDuration,
  formatPullProgress,
  pullModel,
  validateTag,
  type PullSnapshot,
} from '../../../src/models/pull';
import { FakeBackend, abortError } from '../support/fakeBackend';

const D1 = 'sha256:aaaa';
const D2 = 'sha256:bbbb';
const GB = 1e9;

/** A clock the test moves by hand. */
function clock(start = 1000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

async function* items(list: PullProgress[]): AsyncIterable<PullProgress> {
  for (const p of list) yield p;
}

describe('models/pull', () => {
  describe('PullTracker', () => {
    it('sums layers, measures speed and time left from what arrives', () => {
      const c = clock();
      const t = new PullTracker('qwen2.5-coder:7b-base', c.now);
      assert.equal(t.update({ status: 'pulling manifest' }).phase, 'manifest');
      t.update({ status: 'pulling aaaa', digest: D1, totalBytes: 4 * GB, completedBytes: 0 });
      t.update({ status: 'pulling bbbb', digest: D2, totalBytes: 1 * GB, completedBytes: 0 });
      c.advance(1000);
      t.update({ status: 'pulling aaaa', digest: D1, totalBytes: 4 * GB, completedBytes: 0.05 * GB });
      c.advance(1000);
      const s = t.update({ status: 'pulling aaaa', digest: D1, totalBytes: 4 * GB, completedBytes: 0.1 * GB });
      assert.equal(s.phase, 'downloading');
      assert.equal(s.totalBytes, 5 * GB);
      assert.equal(s.completedBytes, 0.1 * GB);
      assert.equal(s.percent, 2);
      // 0.1 GB over the 2 s since the first sample: 50 MB/s; 4.9 GB left → 98 s.
      assert.equal(Math.round(s.bytesPerSecond ?? 0), 50e6);
      assert.equal(Math.round(s.etaSeconds ?? 0), 98);
      assert.equal(formatPullProgress(s), '100 MB of 5.0 GB (2 %) · 50 MB/s · 1 min 38 s left');
    });

    it('does not count what a resumed layer already had as speed', () => {
      const c = clock();
      const t = new PullTracker('m', c.now);
      // Resuming: the first report of the layer already says 3 GB of 4 GB.
      t.update({ status: 'pulling aaaa', digest: D1, totalBytes: 4 * GB, completedBytes: 3 * GB });
      c.advance(2000);
      const s = t.update({ status: 'pulling aaaa', digest: D1, totalBytes: 4 * GB, completedBytes: 3.2 * GB });
      assert.equal(Math.round(s.bytesPerSecond ?? 0), 100e6);
      assert.equal(Math.round(s.percent ?? 0), 80);
      assert.equal(Math.round(s.etaSeconds ?? 0), 8);
    });

    it('gives no speed before a second of samples, and none after the download', () => {
      const c = clock();
      const t = new PullTracker('m', c.now);
      t.update({ status: 'pulling aaaa', digest: D1, totalBytes: GB, completedBytes: 0 });
      c.advance(300);
      assert.equal(t.update({ status: 'pulling aaaa', digest: D1, totalBytes: GB, completedBytes: 0.1 * GB }).bytesPerSecond, undefined);
      c.advance(2000);
      assert.equal(t.update({ status: 'verifying sha256 digest' }).bytesPerSecond, undefined);
      const done = t.update({ status: 'success' });
      assert.equal(done.phase, 'done');
      assert.equal(done.percent, 100);
      assert.equal(done.completedBytes, GB);
    });
  });

  describe('formatting', () => {
    it('formats durations', () => {
      assert.equal(formatDuration(0), '0 s');
      assert.equal(formatDuration(59.4), '59 s');
      assert.equal(formatDuration(60), '1 min');
      assert.equal(formatDuration(100), '1 min 40 s');
      assert.equal(formatDuration(3600), '1 h');
      assert.equal(formatDuration(5400), '1 h 30 min');
    });

    it('formats each phase', () => {
      const snap = (phase: PullSnapshot['phase'], extra: Partial<PullSnapshot> = {}): PullSnapshot => ({
        tag: 'm',
        phase,
        status: '',
        completedBytes: 0,
        totalBytes: 0,
        ...extra,
      });
      assert.equal(formatPullProgress(snap('starting')), 'Contacting Ollama…');
      assert.equal(formatPullProgress(snap('manifest')), 'Reading the model manifest…');
      assert.equal(formatPullProgress(snap('downloading')), 'Downloading…');
      assert.equal(formatPullProgress(snap('verifying')), 'Verifying the download…');
      assert.equal(formatPullProgress(snap('writing')), 'Writing the model manifest…');
      assert.equal(formatPullProgress(snap('done', { totalBytes: 4.7e9 })), 'Done (4.7 GB).');
      assert.equal(
        formatPullProgress(snap('downloading', { completedBytes: 2.35e9, totalBytes: 4.7e9, percent: 50 })),
        '2.4 GB of 4.7 GB (50 %)',
      );
    });
  });

  describe('pullModel', () => {
    it('reports progress and succeeds', async () => {
      const backend = new FakeBackend({
        pulls: {
          'qwen2.5-coder:0.5b-base': () =>
            items([
              { status: 'pulling manifest' },
              { status: 'pulling aaaa', digest: D1, totalBytes: 398e6, completedBytes: 0 },
              { status: 'pulling aaaa', digest: D1, totalBytes: 398e6, completedBytes: 398e6 },
              { status: 'verifying sha256 digest' },
              { status: 'writing manifest' },
              { status: 'success' },
            ]),
        },
      });
      const seen: string[] = [];
      const outcome = await pullModel(backend, 'qwen2.5-coder:0.5b-base', { onProgress: (s) => seen.push(s.phase) });
      assert.deepEqual(outcome, { kind: 'success', tag: 'qwen2.5-coder:0.5b-base', totalBytes: 398e6 });
      assert.deepEqual(seen, ['starting', 'manifest', 'downloading', 'downloading', 'verifying', 'writing', 'done']);
    });

    it('cancel aborts the request at the server and says how to resume', async () => {
      const controller = new AbortController();
      let serverSawAbort = false;
      const backend = new FakeBackend({
        pulls: {
          m: (signal) =>
            (async function* () {
              // As fetch does: the signal is tied to the request from its start.
              const aborted = new Promise<never>((_, reject) =>
                signal?.addEventListener('abort', () => {
                  serverSawAbort = true;
                  reject(abortError());
                }),
              );
              yield { status: 'pulling aaaa', digest: D1, totalBytes: GB, completedBytes: 0.2 * GB };
              await aborted; // the next chunk never comes before the cancel
            })(),
        },
      });
      const result = await pullModel(backend, 'm', {
        signal: controller.signal,
        // The person clicks Cancel while the download runs.
        onProgress: (s) => s.completedBytes > 0 && setTimeout(() => controller.abort(), 10),
      });
      assert.equal(result.kind, 'cancelled');
      assert.equal(backend.pullSignals[0], controller.signal);
      assert.ok(serverSawAbort, 'the server request saw the abort');
      assert.match(result.kind === 'cancelled' ? result.message : '', /cancelled.*run Pull again to resume/);
    });

    it('unknown tag: the server error, shown plainly, not resumable', async () => {
      const backend = new FakeBackend();
      const result = await pullModel(backend, 'qwen2.5-coder:99b');
      assert.equal(result.kind, 'failed');
      if (result.kind !== 'failed') return;
      assert.equal(result.resumable, false);
      assert.equal(
        result.message,
        'Ollama could not pull "qwen2.5-coder:99b": pull model manifest: file does not exist. Check the name at ollama.com/library.',
      );
    });

    it('network failure mid-pull: a clear message and a resumable state', async () => {
      const reset = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
      const backend = new FakeBackend({
        pulls: {
          m: () =>
            (async function* () {
              yield { status: 'pulling aaaa', digest: D1, totalBytes: GB, completedBytes: 0.5 * GB };
              throw reset;
            })(),
        },
      });
      const result = await pullModel(backend, 'm');
      assert.equal(result.kind, 'failed');
      if (result.kind !== 'failed') return;
      assert.equal(result.error.kind, 'unreachable');
      assert.equal(result.resumable, true);
      assert.match(result.message, /Lost the connection to Ollama at http:\/\/127\.0\.0\.1:11434 while pulling m.*run Pull again to resume/);
    });

    it('full disk mid-pull: says so and how to resume', async () => {
      const backend = new FakeBackend({
        pulls: {
          m: () =>
            (async function* () {
              yield { status: 'pulling aaaa', digest: D1, totalBytes: GB, completedBytes: 0.5 * GB };
              throw Object.assign(new Error('write /root/.ollama/models/blobs/sha256-aaaa-partial: no space left on device'), {
                name: 'ResponseError',
                status_code: 500,
              });
            })(),
        },
      });
      const result = await pullModel(backend, 'm');
      assert.equal(result.kind, 'failed');
      if (result.kind !== 'failed') return;
      assert.equal(result.resumable, true);
      assert.match(result.message, /^Not enough disk space to pull m \(.*no space left on device\)\. Free some space, then run Pull again to resume/);
    });

    it('a stream that ends without "success" is a resumable failure', async () => {
      const backend = new FakeBackend({ pulls: { m: () => items([{ status: 'pulling aaaa', digest: D1, totalBytes: GB, completedBytes: 1 }]) } });
      const result = await pullModel(backend, 'm');
      assert.equal(result.kind, 'failed');
      assert.match(result.kind === 'failed' ? result.message : '', /ended the pull of m before it finished\. Run Pull again/);
    });

    it('unreachable before anything arrives', async () => {
      const backend = new FakeBackend({ failWith: Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }) });
      const result = await pullModel(backend, 'm');
      assert.equal(result.kind, 'failed');
      assert.equal(result.kind === 'failed' && result.error.kind, 'unreachable');
    });
  });

  describe('describePullError', () => {
    const ctx = { host: 'http://h:1', model: 'm' };
    it('maps each kind to a sentence', () => {
      assert.match(describePullError(new BackendError('unauthorized', 'The server refused (401).', ctx, 401, 'unauthorized'), 'm').message, /refused/);
      assert.equal(describePullError(new BackendError('aborted', 'Cancelled.', ctx), 'm').resumable, true);
      const other = describePullError(new BackendError('server', 'x', ctx, 500, 'max retries exceeded'), 'm');
      assert.equal(other.message, 'Pulling m failed: max retries exceeded. Run Pull again to resume where it stopped.');
      assert.equal(other.resumable, true);
      assert.equal(describePullError(new BackendError('modelNotFound', 'x', ctx, 404, ''), 'm').resumable, false);
    });
  });

  describe('validateTag', () => {
    it('accepts Ollama names and rejects the rest with a reason', () => {
      for (const ok of ['qwen2.5-coder:7b-base', 'qwen3-coder', 'hf.co/bartowski/Qwen2.5-Coder-7B-GGUF:Q4_K_M', 'localhost:5000/me/model:tag']) {
        assert.equal(validateTag(ok), undefined, ok);
      }
      assert.match(validateTag('') ?? '', /Enter a model name/);
      assert.match(validateTag('qwen coder') ?? '', /no spaces/);
      assert.match(validateTag('qwen;rm -rf') ?? '', /no spaces|Use letters/);
      assert.match(validateTag('qwen$') ?? '', /Use letters/);
      assert.match(validateTag('a:b:c') ?? '', /at most one ":"/);
    });
  });
});

describe('models/pull: where a pull downloads from (security review finding 6)', () => {
  it('names the source the way Ollama reads a model name', () => {
    assert.deepEqual(modelSource('qwen2.5-coder:7b'), { official: true, text: 'the Ollama library' });
    assert.deepEqual(modelSource('library/qwen2.5-coder'), { official: true, text: 'the Ollama library' });
    assert.deepEqual(modelSource('registry.ollama.ai/library/qwen2.5-coder:7b'), { official: true, text: 'the Ollama library' });
    assert.match(modelSource('hf.co/attacker/backdoored-coder:Q4_K_M').text, /^Hugging Face, published by "attacker" \(not the Ollama library\)$/);
    assert.equal(modelSource('hf.co/attacker/backdoored-coder').official, false);
    assert.match(modelSource('someone/coder:7b').text, /published by user "someone"/);
    assert.match(modelSource('registry.example.com:5000/team/coder').text, /the registry at registry\.example\.com:5000/);
  });
});
