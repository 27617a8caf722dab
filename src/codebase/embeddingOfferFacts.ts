// The facts for the embedding model offer (embeddingOffer.ts), gathered from the model manager
// and the server's list. No `vscode`: the simulator tests call it as the glue does.

import type { Backend } from '../backend/backend';
import { isModelManager } from '../models/manager';
import { embeddingOffer, modelsInUse, type EmbeddingOffer, type ServerFacts } from './embeddingOffer';

/** What the offer reads: the server, the model manager (Services.models) and the embedding model setting. */
export interface OfferSources {
  backend(): Pick<Backend, 'host' | 'listModels'>;
  models: unknown;
  config: { settings: { codebase: { embeddingModel: string } } };
}

function hostLabel(host: string): string {
  try {
    return new URL(host).host || host;
  } catch {
    return host;
  }
}

/** The offer for an index whose embedding model is `model` (undefined: words only). Never throws. */
export async function currentEmbeddingOffer(services: OfferSources, model: string | undefined): Promise<EmbeddingOffer> {
  if (model !== undefined) return { kind: 'none' };
  const manager = isModelManager(services.models) ? services.models : undefined;
  if (!manager) return { kind: 'none' };
  // A server that does not answer is no reason to pull anything: the status says it is away.
  const installed = await services.backend().listModels(AbortSignal.timeout(3000)).catch(() => undefined);
  if (installed === undefined) return { kind: 'none' };
  const remote = manager.remoteServer();
  let server: ServerFacts;
  if (remote?.kind === 'openai') server = { kind: 'openai', host: `The server at ${remote.label}` };
  else if (remote) server = { kind: 'remote-ollama', host: `Ollama at ${remote.label}` };
  else {
    const choice = manager.choice();
    const { completion, chat } = manager.resolved();
    server = {
      kind: 'local-ollama',
      host: `Ollama at ${hostLabel(services.backend().host)}`,
      budgetBytes: choice.budgetBytes,
      memoryLabel: choice.memoryLabel,
      inUse: modelsInUse([completion, chat], installed),
    };
  }
  return embeddingOffer({ server, setting: services.config.settings.codebase.embeddingModel, model });
}
