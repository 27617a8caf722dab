// The embedding model offer in the editor (thin glue over embeddingOffer.ts): the facts from the
// model manager and the server's list, the question with its Pull button, and the pull itself
// through `qwenLocal.pullModel` (its progress notification, its refusal on OpenAI servers).

import * as vscode from 'vscode';
import { sameModel } from '../hardware/catalog';
import type { Services } from '../services';
import type { EmbeddingOffer } from './embeddingOffer';
/**
 * Pulls `tag` (the command shows progress and says why it cannot on an OpenAI server), then, when
 * the server lists it, `reindex` adds vectors to the index. True when the model is there.
 */
export async function pullEmbeddingModel(services: Services, tag: string, reindex: () => void): Promise<boolean> {
  await vscode.commands.executeCommand('qwenLocal.pullModel', tag);
  const installed = await services.backend().listModels(AbortSignal.timeout(5000)).catch(() => []);
  if (!installed.some((m) => sameModel(m.name, tag))) return false;
  reindex();
  return true;
}

/** Shows the offer as a notification: Pull (then re-index with vectors), or the explanation. */
export async function showEmbeddingOffer(services: Services, offer: EmbeddingOffer, reindex: () => void): Promise<void> {
  if (offer.kind === 'explain') {
    void vscode.window.showInformationMessage(`Qwen Local: ${offer.message}`);
    return;
  }
  if (offer.kind !== 'pull') return;
  const choice = await vscode.window.showInformationMessage(`Qwen Local: ${offer.message}`, offer.button, 'Not Now');
  if (choice === offer.button) await pullEmbeddingModel(services, offer.tag, reindex);
}
