// POST /v1/embeddings as the imitated servers answer it:
// - vLLM: vllm/entrypoints/pooling/embed/protocol.py EmbeddingResponse {id "embd-…", object "list",
//   created, model, data [{index, object "embedding", embedding}], usage}; `embedding` is a list of
//   floats, or with encoding_format "base64" the little-endian float32 bytes in base64 (what the
//   openai client asks for unless told otherwise). An unknown model: 404 "The model `x` does not
//   exist."; a generative model: 400 "The model does not support Embeddings API" (older
//   serving_embedding wording; newer releases do not register the route at all).
// - llama.cpp: one model; unless started with --embeddings, 501 "This server does not support
//   embeddings. Start it with `--embeddings`" (tools/server/server.cpp, from memory). Here a served
//   model whose id looks like an embedding model stands for a server started that way.
// Vectors from ../embeddings.ts (deterministic bag of words, unit length, 768 dimensions).

import { randomUUID } from 'node:crypto';
import { looksLikeEmbeddingModel, simEmbedding, simTokenCount } from '../embeddings';
import { vllmModelMissing } from './errors';
import type { SseExchange } from './exchange';
import type { OpenAISettings } from './routes';

type Fail = (status: number, message: string, type?: string) => void;

function base64Floats(vector: number[]): string {
  return Buffer.from(Float32Array.from(vector).buffer).toString('base64');
}

export function embeddingsRoute(settings: OpenAISettings, x: SseExchange, body: Record<string, unknown>, fail: Fail): void {
  const name = typeof body.model === 'string' ? body.model : '';
  const llama = settings.flavour === 'llamacpp';
  const model = llama ? settings.models[0] : settings.models.find((m) => m.id === name);
  if (!model) return fail(404, vllmModelMissing(name));
  if (!looksLikeEmbeddingModel(model.id)) {
    return llama ? fail(501, 'This server does not support embeddings. Start it with `--embeddings`', 'not_supported_error') : fail(400, 'The model does not support Embeddings API');
  }
  const input = typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) && body.input.every((v) => typeof v === 'string') ? (body.input as string[]) : undefined;
  if (input === undefined || input.length === 0) return fail(400, 'Input must be a string or a non-empty array of strings.');
  const base64 = body.encoding_format === 'base64';
  const data = input.map((text, index) => {
    const vector = simEmbedding(text);
    return { index, object: 'embedding', embedding: base64 ? base64Floats(vector) : vector };
  });
  const promptTokens = input.reduce((sum, text) => sum + simTokenCount(text), 0);
  const usage = { prompt_tokens: promptTokens, total_tokens: promptTokens };
  if (llama) return x.json(200, { model: model.id, object: 'list', usage, data });
  x.json(200, { id: `embd-${randomUUID().replace(/-/g, '')}`, object: 'list', created: Math.floor(Date.now() / 1000), model: model.id, data, usage: { ...usage, completion_tokens: 0, prompt_tokens_details: null } });
}
