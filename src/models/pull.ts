// Pulling a model: progress over layers, speed, time left, cancel, and the message for each failure.
// No `vscode`: it drives any `Backend` and reports plain snapshots; the command glue shows them.
//
// Ollama keeps partly downloaded layers and resumes them on the next pull of the same tag, so a
// cancel or a dropped connection loses nothing: the message says "run Pull again to resume".

import type { Backend, PullProgress } from '../backend/backend';
import { BackendError, isAbort, toBackendError } from '../backend/errors';
import { formatDownload } from '../hardware/units';

export type PullPhase = 'starting' | 'manifest' | 'downloading' | 'verifying' | 'writing' | 'done';

export interface PullSnapshot {
  tag: string;
  phase: PullPhase;
  /** The server's last status line, e.g. "pulling 6e4c38e1172f". */
  status: string;
  completedBytes: number;
  totalBytes: number;
  /** 0..100, once a total is known. */
  percent?: number;
  /** Average over the last few seconds; undefined until there is enough to measure. */
  bytesPerSecond?: number;
  etaSeconds?: number;
}

const SPEED_WINDOW_MS = 8000;
const MIN_SPEED_SPAN_MS = 1000;

/** Aggregates per-layer progress into one total and measures speed from what arrives now. */
export class PullTracker {
  private readonly layers = new Map<string, { total: number; completed: number }>();
  /** Bytes received during this pull (not those a resumed layer already had). */
  private received = 0;
  private readonly samples: { at: number; received: number }[] = [];
  private phase: PullPhase = 'starting';
  private status = '';

  constructor(
    readonly tag: string,
    private readonly now: () => number = Date.now,
  ) {}

  update(progress: PullProgress): PullSnapshot {
    const at = this.now();
    this.status = progress.status;
    this.phase = phaseOf(progress);
    if (progress.digest && progress.totalBytes !== undefined && progress.totalBytes > 0) {
      const completed = Math.min(progress.completedBytes ?? 0, progress.totalBytes);
      const layer = this.layers.get(progress.digest);
      if (layer) {
        // A resumed layer starts at what is already on disk: only growth counts toward speed.
        if (completed > layer.completed) this.received += completed - layer.completed;
        layer.completed = Math.max(layer.completed, completed);
        layer.total = progress.totalBytes;
      } else {
        this.layers.set(progress.digest, { total: progress.totalBytes, completed });
      }
    }
    this.samples.push({ at, received: this.received });
    while (this.samples.length > 2 && at - this.samples[0].at > SPEED_WINDOW_MS) this.samples.shift();
    return this.snapshot();
  }

  snapshot(): PullSnapshot {
    let totalBytes = 0;
    let completedBytes = 0;
    for (const layer of this.layers.values()) {
      totalBytes += layer.total;
      completedBytes += layer.completed;
    }
    const snap: PullSnapshot = { tag: this.tag, phase: this.phase, status: this.status, completedBytes, totalBytes };
    if (this.phase === 'done') {
      snap.percent = 100;
      snap.completedBytes = totalBytes;
      return snap;
    }
    if (totalBytes > 0) snap.percent = Math.min(100, (completedBytes / totalBytes) * 100);
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (first && last && last.at - first.at >= MIN_SPEED_SPAN_MS && this.phase === 'downloading') {
      const speed = ((last.received - first.received) / (last.at - first.at)) * 1000;
      if (speed > 0) {
        snap.bytesPerSecond = speed;
        if (totalBytes > 0) snap.etaSeconds = Math.max(0, (totalBytes - completedBytes) / speed);
      }
    }
    return snap;
  }
}

function phaseOf(p: PullProgress): PullPhase {
  const s = p.status.toLowerCase();
  if (s === 'success') return 'done';
  if (s.includes('manifest') && s.startsWith('pulling')) return 'manifest';
  if (s.startsWith('pulling') || p.digest) return 'downloading';
  if (s.startsWith('verifying')) return 'verifying';
  if (s.startsWith('writing') || s.startsWith('removing')) return 'writing';
  return 'downloading';
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const rest = s % 60;
    return rest ? `${Math.floor(s / 60)} min ${rest} s` : `${Math.floor(s / 60)} min`;
  }
  const minutes = Math.round((s % 3600) / 60);
  return minutes ? `${Math.floor(s / 3600)} h ${minutes} min` : `${Math.floor(s / 3600)} h`;
}

/** One line for the progress notification: "1.2 GB of 4.7 GB (26 %) · 35 MB/s · 1 min 40 s left". */
export function formatPullProgress(snap: PullSnapshot): string {
  switch (snap.phase) {
    case 'starting':
      return 'Contacting Ollama…';
    case 'manifest':
      return 'Reading the model manifest…';
    case 'verifying':
      return 'Verifying the download…';
    case 'writing':
      return 'Writing the model manifest…';
    case 'done':
      return `Done${snap.totalBytes ? ` (${formatDownload(snap.totalBytes)})` : ''}.`;
    case 'downloading':
      break;
  }
  const parts: string[] = [];
  if (snap.totalBytes > 0) {
    parts.push(`${formatDownload(snap.completedBytes)} of ${formatDownload(snap.totalBytes)} (${Math.floor(snap.percent ?? 0)} %)`);
  } else {
    parts.push('Downloading…');
  }
  if (snap.bytesPerSecond !== undefined) parts.push(`${formatDownload(snap.bytesPerSecond)}/s`);
  if (snap.etaSeconds !== undefined && Number.isFinite(snap.etaSeconds)) parts.push(`${formatDuration(snap.etaSeconds)} left`);
  return parts.join(' · ');
}

export type PullOutcome =
  | { kind: 'success'; tag: string; totalBytes: number }
  | { kind: 'cancelled'; tag: string; message: string }
  | { kind: 'failed'; tag: string; message: string; error: BackendError; resumable: boolean };

export interface PullOptions {
  signal?: AbortSignal;
  onProgress?: (snapshot: PullSnapshot) => void;
  now?: () => number;
}

const RESUME = 'run Pull again to resume where it stopped';

export function cancelledMessage(tag: string): string {
  return `Pull of ${tag} cancelled. Ollama keeps what was downloaded: ${RESUME}.`;
}

/** The sentence for a failed pull, with the server's own words where it gave any. */
export function describePullError(error: BackendError, tag: string): { message: string; resumable: boolean } {
  const detail = (error.detail ?? '').trim();
  const host = error.context.host;
  if (/no space left|disk full|not enough (disk )?space|insufficient (disk )?space/i.test(detail)) {
    return { message: `Not enough disk space to pull ${tag} (${detail}). Free some space, then ${RESUME}.`, resumable: true };
  }
  switch (error.kind) {
    case 'unreachable':
    case 'timeout':
      return {
        message: `Lost the connection to Ollama at ${host} while pulling ${tag}. Ollama keeps what was downloaded: ${RESUME}.`,
        resumable: true,
      };
    case 'aborted':
      return { message: cancelledMessage(tag), resumable: true };
    case 'unauthorized':
    case 'busy':
      return { message: error.message, resumable: true };
    default:
      break;
  }
  if (error.kind === 'modelNotFound' || /file does not exist|not found|manifest unknown|invalid model name|pull model manifest/i.test(detail)) {
    return {
      message: `Ollama could not pull "${tag}": ${detail || 'no such model'}. Check the name at ollama.com/library.`,
      resumable: false,
    };
  }
  return {
    message: `Pulling ${tag} failed: ${detail || error.message}. ${RESUME[0].toUpperCase()}${RESUME.slice(1)}.`,
    resumable: true,
  };
}

/** Pulls `tag`, reporting progress; never throws. Cancel through `signal`: the request is aborted. */
export async function pullModel(backend: Backend, tag: string, options: PullOptions = {}): Promise<PullOutcome> {
  const tracker = new PullTracker(tag, options.now);
  const ctx = { host: backend.host, model: tag };
  let succeeded = false;
  try {
    options.onProgress?.(tracker.snapshot());
    for await (const progress of backend.pull(tag, options.signal)) {
      const snap = tracker.update(progress);
      options.onProgress?.(snap);
      if (snap.phase === 'done') succeeded = true;
      if (options.signal?.aborted) break;
    }
  } catch (error) {
    if (options.signal?.aborted || isAbort(error)) return { kind: 'cancelled', tag, message: cancelledMessage(tag) };
    const be = toBackendError(error, ctx);
    const { message, resumable } = describePullError(be, tag);
    return { kind: 'failed', tag, message, error: be, resumable };
  }
  if (options.signal?.aborted) return { kind: 'cancelled', tag, message: cancelledMessage(tag) };
  if (!succeeded) {
    const be = new BackendError('server', `Ollama ended the pull of ${tag} before it finished.`, ctx, undefined, 'the stream ended early');
    return { kind: 'failed', tag, message: `Ollama ended the pull of ${tag} before it finished. ${RESUME[0].toUpperCase()}${RESUME.slice(1)}.`, error: be, resumable: true };
  }
  return { kind: 'success', tag, totalBytes: tracker.snapshot().totalBytes };
}

/** Ollama model names: `[host/][namespace/]name[:tag]`, no spaces. Returns a problem, or undefined. */
/**
 * Where `ollama pull <tag>` downloads from, in words, the way Ollama reads a name: `model[:tag]` and
 * `namespace/model` come from its registry (registry.ollama.ai; `library` is the official one),
 * `host/namespace/model` from that host — `hf.co/…` is Hugging Face, where anyone can publish.
 * `official` is true only for the Ollama library.
 */
export function modelSource(tag: string): { official: boolean; text: string } {
  const name = tag.trim().replace(/:[^/:]*$/, '');
  const parts = name.split('/');
  if (parts.length >= 3 || (parts.length === 2 && /[.:]/.test(parts[0]))) {
    const host = parts[0].toLowerCase();
    if (host === 'registry.ollama.ai' && parts[1] === 'library') return { official: true, text: 'the Ollama library' };
    const where = host === 'hf.co' || host === 'huggingface.co' ? 'Hugging Face' : host === 'registry.ollama.ai' || host === 'ollama.com' ? 'the Ollama registry' : `the registry at ${host}`;
    return { official: false, text: `${where}, published by "${parts.slice(1, -1).join('/') || parts[1]}" (not the Ollama library)` };
  }
  if (parts.length === 2) {
    if (parts[0] === 'library') return { official: true, text: 'the Ollama library' };
    return { official: false, text: `the Ollama registry, published by user "${parts[0]}" (not the Ollama library)` };
  }
  return { official: true, text: 'the Ollama library' };
}

export function validateTag(input: string): string | undefined {
  const tag = input.trim();
  if (!tag) return 'Enter a model name, e.g. qwen2.5-coder:7b-base.';
  if (/\s/.test(tag)) return 'A model name has no spaces.';
  if (tag.length > 200) return 'That name is too long.';
  if (!/^[A-Za-z0-9][A-Za-z0-9._\-/:]*$/.test(tag)) return 'Use letters, digits and . _ - / : only (e.g. qwen2.5-coder:7b-base).';
  if ((tag.split('/').pop() ?? '').split(':').length > 2) return 'A model name has at most one ":" before its tag.';
  return undefined;
}
