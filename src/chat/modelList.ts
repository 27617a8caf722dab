// The chat's model picker: the server's chat models, with the conversation's model among them even
// when the server lacks it (the picker shows what will be used). After a server change the list is
// stale, and a model picked on the old server (a vLLM's "Qwen/…" is no Ollama tag) gives way to the
// default before the next message instead of failing as "not installed".

import type { Backend } from '../backend/backend';
import type { Logger } from '../log';
import type { ChatSession } from './session';
import { chatModels } from './views';

export class ChatModelList {
  private models: string[] = [];
  private stale = false;

  constructor(private readonly deps: { backend(): Backend; session: ChatSession; log: Logger }) {}

  get isStale(): boolean {
    return this.stale;
  }

  markStale(): void {
    this.stale = true;
  }

  /** The picker's entries and its selection. */
  choices(): { models: string[]; model: string } {
    const model = this.deps.session.model;
    return { models: this.models.includes(model) ? this.models : [model, ...this.models], model };
  }

  /** Lists the server's models; keeps the last list when the server cannot be reached. */
  async refresh(): Promise<void> {
    const { session, log } = this.deps;
    try {
      const installed = await this.deps.backend().listModels();
      this.models = chatModels(installed.map((m) => m.name));
      this.stale = false;
      const pinned = session.model;
      if (session.forgetModelNotIn(this.models)) log.info(`The server has no ${pinned}: this conversation goes on with ${session.model}.`);
    } catch (error) {
      log.debug(`Could not list models: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
