// Ollama's POST /api/embed, as server/routes.go EmbedHandler answers it (ollama/ollama, read at
// fb30760): `input` a string or an array of strings (anything else: 400 "invalid input type"), an
// unknown model 404 "model '<name>' not found", an empty input `{"model","embeddings":[]}`, else
// api.EmbedResponse {model, embeddings, total_duration, load_duration, prompt_eval_count} with
// each vector normalized to unit length. Ollama asks no capability of the model here (it schedules
// the runner with an empty capability list); the vectors come from embeddings.ts.

import { simEmbedding, simTokenCount } from './embeddings';
import type { Exchange } from './exchange';
import type { SimState } from './routes';

export function embedRoute(s: SimState, x: Exchange, body: Record<string, unknown>): void {
  const model = typeof body.model === 'string' ? body.model : '';
  let input: string[];
  if (typeof body.input === 'string') input = body.input === '' ? [] : [body.input];
  else if (Array.isArray(body.input)) {
    if (body.input.some((v) => typeof v !== 'string')) return x.error(400, 'invalid input type');
    input = body.input as string[]; // every element checked just above
  } else if (body.input === undefined || body.input === null) input = [];
  else return x.error(400, 'invalid input type');
  if (!s.findInstalled(model)) return x.error(404, `model '${model}' not found`);
  if (input.length === 0) return x.json(200, { model, embeddings: [] });
  const started = process.hrtime.bigint();
  const embeddings = input.map((text) => simEmbedding(text));
  const total = Number(process.hrtime.bigint() - started);
  x.json(200, {
    model,
    embeddings,
    total_duration: Math.max(1000, total),
    load_duration: 1000,
    prompt_eval_count: input.reduce((sum, text) => sum + simTokenCount(text), 0),
  });
}
