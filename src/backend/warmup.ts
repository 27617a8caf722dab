// Loads a model before the first completion needs it, then checks where it landed.
// Pure: takes the Backend and reports through callbacks.

import type { Backend } from './backend';
import { ollamaFeatures } from './probe';
import { failureOf, readAnswer } from './stream';

export interface WarmUpResult {
  /** Share of the model held in system RAM instead of GPU memory (0 = all on GPU). */
  cpuShare: number;
  sizeBytes: number;
}

export interface WarmUpDeps {
  backend: Backend;
  keepAlive: string;
  /** The num_ctx later requests will use: a load with another value would be redone by Ollama. */
  numCtx?: number;
  setLoading(model: string | undefined): void;
  signal?: AbortSignal;
}

/**
 * An empty prompt makes Ollama load the model and answer at once (done_reason "load"). No
 * editor-level timeout cancels it: loading a large model from disk can take a minute.
 * Resolves undefined when /api/ps does not list the model afterwards.
 */
export async function warmUp(model: string, deps: WarmUpDeps): Promise<WarmUpResult | undefined> {
  deps.setLoading(model);
  const ctx = { host: deps.backend.host, model };
  try {
    const answer = await readAnswer(
      deps.backend.generate({
        model,
        prompt: '',
        keepAlive: deps.keepAlive,
        options: deps.numCtx ? { num_ctx: deps.numCtx } : undefined,
        signal: deps.signal,
        limits: { firstTokenMs: 15 * 60_000, totalMs: 15 * 60_000 },
      }),
      ctx,
      { signal: deps.signal },
    );
    // A load that failed or was cut is not a loaded model: the caller tries again after recovery.
    const failure = failureOf(answer, ctx);
    if (failure) throw failure;
  } finally {
    deps.setLoading(undefined);
  }
  const loaded = (await deps.backend.loadedModels(deps.signal)).find((m) => m.name === model || m.name === `${model}:latest`);
  if (!loaded || loaded.sizeBytes <= 0) return undefined;
  const onGpu = Math.min(loaded.sizeVramBytes, loaded.sizeBytes);
  return { cpuShare: 1 - onGpu / loaded.sizeBytes, sizeBytes: loaded.sizeBytes };
}

/**
 * The one-time warning when part of the model runs on the CPU, or undefined when all is on the GPU.
 * `version`: the server's; before Ollama 0.10 a model holds room for up to 4 requests at once
 * (OLLAMA_NUM_PARALLEL automatic, probe.ts), which setting it to 1 gives back.
 */
export function partlyOnCpuWarning(model: string, result: WarmUpResult, version?: string): string | undefined {
  if (result.cpuShare < 0.01) return undefined;
  const pct = Math.round(result.cpuShare * 100);
  const parallel = ollamaFeatures(version).oneSlotByDefault
    ? ''
    : ` Ollama ${version} keeps room for up to 4 requests at once: OLLAMA_NUM_PARALLEL=1 on the server (or a newer Ollama) frees that memory.`;
  if (pct >= 99) {
    return `${model} runs entirely on the CPU, so completions will be slow. A smaller model, or a GPU with more free memory, makes them fast.${parallel}`;
  }
  return `${pct} % of ${model} runs on the CPU because GPU memory is short, so completions will be slower. Pick a smaller model with "Qwen Local: Select Completion Model".${parallel}`;
}
