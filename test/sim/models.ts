// Model names, the built-in Qwen2.5-Coder catalogue, and the JSON Ollama returns about models
// (/api/tags, /api/ps, /api/show). Figures are those of the real GGUF files, rounded.

import { createHash } from 'node:crypto';
import type { ModelSpec, Timing } from './types';

const REGISTRY_PREFIX = 'registry.ollama.ai/';

/** "qwen2.5-coder" → "qwen2.5-coder:latest"; drops a "registry.ollama.ai/library/" prefix. */
export function normalizeName(name: string): string {
  let n = name.trim();
  if (n.toLowerCase().startsWith(REGISTRY_PREFIX)) n = n.slice(REGISTRY_PREFIX.length);
  if (n.toLowerCase().startsWith('library/')) n = n.slice('library/'.length);
  const lastSlash = n.lastIndexOf('/');
  if (!n.slice(lastSlash + 1).includes(':')) n += ':latest';
  return n;
}

/** Ollama's fully qualified name, as it appears in capability errors. */
export function fullName(name: string): string {
  const n = normalizeName(name);
  return REGISTRY_PREFIX + (n.includes('/') ? n : `library/${n}`);
}

/** Ollama matches names case-insensitively. */
export function sameModel(a: string, b: string): boolean {
  return normalizeName(a).toLowerCase() === normalizeName(b).toLowerCase();
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

interface Arch {
  parameterSize: string;
  parameterCount: number;
  blocks: number;
  embedding: number;
  heads: number;
  kvHeads: number;
  feedForward: number;
  /** Q4_K_M weights file. */
  bytes: number;
}

// Qwen2.5(-Coder) sizes as Ollama lists them.
const ARCH: Record<string, Arch> = {
  '0.5b': { parameterSize: '494.03M', parameterCount: 494_032_768, blocks: 24, embedding: 896, heads: 14, kvHeads: 2, feedForward: 4864, bytes: 397_807_936 },
  '1.5b': { parameterSize: '1.5B', parameterCount: 1_543_714_304, blocks: 28, embedding: 1536, heads: 12, kvHeads: 2, feedForward: 8960, bytes: 986_046_624 },
  '3b': { parameterSize: '3.1B', parameterCount: 3_085_938_688, blocks: 36, embedding: 2048, heads: 16, kvHeads: 2, feedForward: 11008, bytes: 1_929_902_528 },
  '7b': { parameterSize: '7.6B', parameterCount: 7_615_616_512, blocks: 28, embedding: 3584, heads: 28, kvHeads: 4, feedForward: 18944, bytes: 4_683_073_184 },
  '14b': { parameterSize: '14.8B', parameterCount: 14_770_033_664, blocks: 48, embedding: 5120, heads: 40, kvHeads: 8, feedForward: 13824, bytes: 8_988_110_976 },
  '32b': { parameterSize: '32.8B', parameterCount: 32_763_876_352, blocks: 64, embedding: 5120, heads: 40, kvHeads: 8, feedForward: 27648, bytes: 19_851_336_256 },
};

const QUANT_FACTOR: Record<string, number> = { Q4_K_M: 1, Q4_0: 0.93, Q5_K_M: 1.17, Q6_K: 1.35, Q8_0: 1.72, F16: 3.2 };

function sizeLabel(name: string): string | undefined {
  const tag = normalizeName(name).split(':').pop() ?? '';
  const m = /(?:^|[-_])(\d+(?:\.\d+)?b)(?:$|[-_])/i.exec(tag);
  if (m?.[1]) return m[1].toLowerCase();
  return tag === 'latest' ? '7b' : undefined;
}

function quantFromName(name: string): string | undefined {
  const m = /-(q\d_k_[ms]|q\d_k|q\d_\d|fp16|f16)$/i.exec(normalizeName(name));
  if (!m?.[1]) return undefined;
  const q = m[1].toUpperCase();
  return q === 'FP16' ? 'F16' : q;
}

/** A size Qwen2.5 does not come in ("13b"): scale the 7b figures by parameter count. */
function estimateArch(label: string | undefined): Arch {
  const billions = label ? Number.parseFloat(label) : NaN;
  if (!Number.isFinite(billions) || billions <= 0) return ARCH['1.5b']!;
  const seven = ARCH['7b']!;
  const scale = billions / 7.6;
  return {
    ...seven,
    parameterSize: `${billions}B`,
    parameterCount: Math.round(billions * 1e9),
    bytes: Math.round(seven.bytes * scale),
  };
}

/** Instruct and chat variants lack FIM ("insert"); base models have it. */
function isInstruct(name: string): boolean {
  const tag = normalizeName(name).split(':').pop() ?? '';
  if (/base/i.test(tag)) return false;
  // Ollama's bare size tags (qwen2.5-coder:7b) and "latest" are the instruct models.
  return true;
}

const BASE_TEMPLATE = `{{- if .Suffix }}<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>
{{- else }}{{ .Prompt }}
{{- end }}`;

// Shortened from Ollama's qwen2.5-coder instruct template; it keeps the `.Tools` section that makes
// Ollama report "tools" (server/images.go `Model.Capabilities`), as the base one keeps `.Suffix` ("insert").
const INSTRUCT_TEMPLATE = `{{- if .Messages }}
{{- if or .System .Tools }}<|im_start|>system
{{- if .System }}
{{ .System }}
{{- end }}
{{- if .Tools }}

# Tools

<tools>
{{- range .Tools }}
{"type": "function", "function": {{ .Function }}}
{{- end }}
</tools>
{{- end }}<|im_end|>
{{ end }}
{{- range .Messages }}<|im_start|>{{ .Role }}
{{ .Content }}<|im_end|>
{{ end }}<|im_start|>assistant
{{ else }}
{{- if .System }}<|im_start|>system
{{ .System }}<|im_end|>
{{ end }}{{ if .Prompt }}<|im_start|>user
{{ .Prompt }}<|im_end|>
{{ end }}<|im_start|>assistant
{{ end }}{{ .Response }}{{ if .Response }}<|im_end|>{{ end }}`;

/** Everything the simulator knows about one model, with defaults filled in. */
export interface ModelInfo {
  name: string;
  family: string;
  parameterSize: string;
  parameterCount: number;
  quantization: string;
  capabilities: string[];
  contextLength: number;
  /** Manifest digest (hex, as /api/tags shows it). */
  digest: string;
  layers: { digest: string; size: number }[];
  size: number;
  template: string;
  system: string;
  modifiedAt: string;
  /** KV cache bytes per context token (f16), for the loaded size. */
  kvBytesPerToken: number;
  blocks: number;
  embedding: number;
  heads: number;
  kvHeads: number;
  feedForward: number;
  timing: Partial<Timing>;
}

export function resolveModel(spec: ModelSpec): ModelInfo {
  const name = normalizeName(spec.name);
  const label = sizeLabel(name);
  const arch = (label && ARCH[label]) || estimateArch(label);
  const quantization = spec.quantization ?? quantFromName(name) ?? 'Q4_K_M';
  const weights = Math.round(arch.bytes * (QUANT_FACTOR[quantization] ?? 1));
  const instruct = isInstruct(name);
  const sizes = spec.layers ?? [weights, 1_646, 68, 11_343, 487];
  const layers = sizes.map((size, i) => ({ digest: `sha256:${sha256(`${name}#layer${i}`)}`, size }));
  return {
    name,
    family: spec.family ?? 'qwen2',
    parameterSize: spec.parameterSize ?? arch.parameterSize,
    parameterCount: arch.parameterCount,
    quantization,
    capabilities: spec.capabilities ?? (instruct ? ['completion', 'tools'] : ['completion', 'insert']),
    contextLength: spec.contextLength ?? 32768,
    digest: sha256(`${name}#manifest`),
    layers,
    size: layers.reduce((sum, l) => sum + l.size, 0),
    template: spec.template ?? (instruct ? INSTRUCT_TEMPLATE : BASE_TEMPLATE),
    system: spec.system ?? (instruct ? 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' : ''),
    modifiedAt: spec.modifiedAt ?? new Date().toISOString(),
    kvBytesPerToken: arch.blocks * arch.kvHeads * (arch.embedding / arch.heads) * 2 * 2,
    blocks: arch.blocks,
    embedding: arch.embedding,
    heads: arch.heads,
    kvHeads: arch.kvHeads,
    feedForward: arch.feedForward,
    timing: spec.timing ?? {},
  };
}

export const DEFAULT_INSTALLED: ModelSpec[] = [{ name: 'qwen2.5-coder:1.5b-base' }, { name: 'qwen2.5-coder:1.5b-instruct' }];

/** What `ollama pull` can find: Qwen2.5-Coder in every size, base and instruct, two quantizations. */
export function defaultRegistry(): ModelSpec[] {
  const specs: ModelSpec[] = [{ name: 'qwen2.5-coder:latest' }];
  for (const size of Object.keys(ARCH)) {
    specs.push({ name: `qwen2.5-coder:${size}` });
    for (const variant of ['base', 'instruct']) {
      specs.push({ name: `qwen2.5-coder:${size}-${variant}` });
      specs.push({ name: `qwen2.5-coder:${size}-${variant}-q4_K_M` });
      specs.push({ name: `qwen2.5-coder:${size}-${variant}-q8_0` });
    }
  }
  return specs;
}

function details(m: ModelInfo) {
  return {
    parent_model: '',
    format: 'gguf',
    family: m.family,
    families: [m.family],
    parameter_size: m.parameterSize,
    quantization_level: m.quantization,
  };
}

export function tagsEntry(m: ModelInfo) {
  return { name: m.name, model: m.name, modified_at: m.modifiedAt, size: m.size, digest: m.digest, details: details(m) };
}

/** Memory of a loaded model: weights, KV cache for num_ctx, and a fixed compute graph overhead. */
export function loadedSize(m: ModelInfo, numCtx: number): number {
  return m.layers[0]!.size + numCtx * m.kvBytesPerToken + 300 * 1024 * 1024;
}

/** One /api/ps entry; `context_length` only on servers that report it (profiles.ts). */
export function psEntry(m: ModelInfo, numCtx: number, expiresAt: number, vramBytes: number | undefined, withContext = true, sizeBytes = 0) {
  const size = sizeBytes || loadedSize(m, numCtx);
  return {
    name: m.name,
    model: m.name,
    size,
    digest: m.digest,
    details: details(m),
    expires_at: new Date(expiresAt).toISOString(),
    size_vram: vramBytes === undefined ? size : Math.max(0, Math.min(size, vramBytes)),
    ...(withContext ? { context_length: numCtx } : {}),
  };
}

export function showResponse(m: ModelInfo) {
  const arch = m.family;
  const params = m.capabilities.includes('insert') ? 'stop                           "<|endoftext|>"' : 'stop                           "<|im_end|>"\nstop                           "<|endoftext|>"';
  return {
    license: 'Apache License\nVersion 2.0, January 2004',
    modelfile: [
      '# Modelfile generated by "ollama show"',
      '# To build a new Modelfile based on this, replace FROM with:',
      `# FROM ${m.name}`,
      '',
      `FROM /root/.ollama/models/blobs/${m.layers[0]!.digest.replace(':', '-')}`,
      `TEMPLATE """${m.template}"""`,
      m.system ? `SYSTEM ${m.system}` : '',
      ...params.split('\n').map((p) => `PARAMETER ${p.replace(/\s+/, ' ')}`),
    ]
      .filter((line, i) => line !== '' || i === 3)
      .join('\n'),
    parameters: params,
    template: m.template,
    ...(m.system ? { system: m.system } : {}),
    details: details(m),
    model_info: {
      'general.architecture': arch,
      'general.basename': m.name.split(':')[0],
      'general.file_type': 15,
      'general.parameter_count': m.parameterCount,
      'general.quantization_version': 2,
      [`${arch}.attention.head_count`]: m.heads,
      [`${arch}.attention.head_count_kv`]: m.kvHeads,
      [`${arch}.attention.layer_norm_rms_epsilon`]: 0.000001,
      [`${arch}.block_count`]: m.blocks,
      [`${arch}.context_length`]: m.contextLength,
      [`${arch}.embedding_length`]: m.embedding,
      [`${arch}.feed_forward_length`]: m.feedForward,
      [`${arch}.rope.freq_base`]: 1000000,
      'tokenizer.ggml.bos_token_id': 151643,
      'tokenizer.ggml.eos_token_id': 151643,
      'tokenizer.ggml.model': 'gpt2',
      'tokenizer.ggml.pre': 'qwen2',
      'tokenizer.ggml.merges': null,
      'tokenizer.ggml.token_type': null,
      'tokenizer.ggml.tokens': null,
    },
    capabilities: m.capabilities,
    modified_at: m.modifiedAt,
  };
}
