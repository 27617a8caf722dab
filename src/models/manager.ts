// The ModelResolver the features use, and the state the model commands share: the detected
// hardware, the choice, the installed models. No `vscode`: settings, backend and detection are
// injected, so tests drive it with plain objects.

import * as os from 'node:os';
import type { Backend, InstalledModel } from '../backend/backend';
import { CHAT_NUM_CTX, COMPLETION_NUM_CTX } from '../hardware/catalog';
import { chooseModels, fallbackChoice, type Choice } from '../hardware/choose';
import { detectHardware } from '../hardware/detect';
import { HardwareService, type Listener } from '../hardware/service';
import type { HardwareInfo } from '../hardware/types';
import type { Logger } from '../log';
import type { ModelResolver } from '../services';
import { chooseRemoteModels, type RemoteChoice } from './remoteChoice';
import { isAuto, resolveModels, type ModelSettings, type Resolved, type RoleResolution } from './resolve';

/** The server, when its models are not chosen from this machine's GPU (a team server, a remote Ollama). */
export interface RemoteServer {
  /** "team-gpu.example:8000": how the explanation names it. */
  label: string;
  kind: 'ollama' | 'openai';
}

export interface ModelManagerOptions {
  /** The current settings (completion.model, chat.model, completion.allowLargeModels). */
  settings: () => ModelSettings & { completion: { allowLargeModels: boolean } };
  backend: () => Backend;
  log: Logger;
  /** Defaults to running the real tools (hardware/detect.ts). */
  detect?: () => Promise<HardwareInfo>;
  /** RAM for the safe default used until detection ends; defaults to os.totalmem(). */
  totalRamBytes?: number;
  /** How long to wait for /api/ps while detecting; defaults to 2 s. */
  psTimeoutMs?: number;
  /** The server when models come from its list, not from this machine; undefined for a local Ollama. */
  remote?: () => RemoteServer | undefined;
}

export class ModelManager implements ModelResolver {
  readonly hardware: HardwareService;
  private readonly fallback: Choice;
  private reclaimableBytes = 0;
  private installedModels: InstalledModel[] | undefined;
  private cache: { key: string; choice: Choice } | undefined;
  private remoteCache: { key: string; choice: RemoteChoice } | undefined;
  private readonly listeners = new Set<Listener<void>>();

  constructor(private readonly options: ModelManagerOptions) {
    const detect = options.detect ?? (() => detectHardware());
    this.hardware = new HardwareService(async () => {
      const [info, reclaimable] = await Promise.all([detect(), this.ollamaResidentBytes()]);
      this.reclaimableBytes = reclaimable;
      return info;
    });
    this.fallback = fallbackChoice(options.totalRamBytes ?? os.totalmem(), os.availableParallelism?.() ?? 1);
  }

  // --- ModelResolver (sync) ---------------------------------------------------------------

  completionModel(): string {
    return this.resolved().completion.tag;
  }

  chatModel(): string {
    return this.resolved().chat.tag;
  }

  /** The num_ctx the choice was sized for: completion requests should send it. */
  completionNumCtx(): number {
    return this.resolved().completion.numCtx;
  }

  chatNumCtx(): number {
    return this.resolved().chat.numCtx;
  }

  // --- State for the commands and the report ---------------------------------------------

  /** Starts detection (once); resolves when the choice reflects this machine. Never rejects. */
  async ready(): Promise<HardwareInfo | undefined> {
    try {
      const info = await this.hardware.detect();
      this.changed();
      return info;
    } catch (error) {
      this.options.log.error('Hardware detection failed', error);
      return undefined;
    }
  }

  async redetect(): Promise<HardwareInfo | undefined> {
    try {
      const info = await this.hardware.redetect();
      this.options.log.info(`Hardware detected again: ${this.choice().summary}`);
      this.changed();
      return info;
    } catch (error) {
      this.options.log.error('Hardware detection failed', error);
      return undefined;
    }
  }

  /** The hardware choice: the detected one, or the CPU-only default while detection runs. */
  choice(): Choice {
    const hw = this.hardware.current();
    if (!hw) return this.fallback;
    const allowLargeModels = this.options.settings().completion.allowLargeModels;
    const key = `${hw.detectedAt}|${allowLargeModels}|${this.reclaimableBytes}`;
    if (this.cache?.key !== key) {
      this.cache = { key, choice: chooseModels(hw, { allowLargeModels, reclaimableBytes: this.reclaimableBytes }) };
    }
    return this.cache.choice;
  }

  /** The server whose list the models are chosen from, or undefined for a local Ollama. */
  remoteServer(): RemoteServer | undefined {
    return this.options.remote?.();
  }

  /** Pulling is an Ollama action: a sentence saying why not for other servers, else undefined. */
  pullRefusal(): string | undefined {
    const remote = this.remoteServer();
    if (remote?.kind !== 'openai') return undefined;
    return `${remote.label} is an OpenAI-compatible server (vLLM, llama.cpp, LM Studio…): Qwen Local cannot download models to it. Start the server with the model instead (e.g. \`vllm serve Qwen/Qwen2.5-Coder-7B\`), then pick it with "Select Completion Model".`;
  }

  /** The choice from the server's list (never from this GPU); undefined for a local Ollama or before the list arrived. */
  remoteChoice(): RemoteChoice | undefined {
    const remote = this.remoteServer();
    const listed = this.installedModels;
    if (!remote || !listed) return undefined;
    const settings = this.options.settings();
    const key = `${remote.label}|${settings.completion.model}|${settings.chat.model}|${listed.map((m) => `${m.name}:${m.contextLength ?? ''}`).join(',')}`;
    if (this.remoteCache?.key !== key) {
      const models = listed.map((m) => ({ name: m.name, ...(m.contextLength ? { contextLength: m.contextLength } : {}), ...(m.parameterSize ? { parameterSize: m.parameterSize } : {}) }));
      this.remoteCache = { key, choice: chooseRemoteModels(models, remote.label, { completionModel: settings.completion.model, chatModel: settings.chat.model }) };
    }
    return this.remoteCache.choice;
  }

  resolved(): Resolved {
    if (this.remoteServer()) return this.resolvedRemote();
    return resolveModels(this.options.settings(), this.choice(), this.installedModels?.map((m) => m.name));
  }

  private resolvedRemote(): Resolved {
    const settings = this.options.settings();
    const choice = this.remoteChoice();
    // Until the list arrives: the setting, else the name the last list would have given (local default).
    const local = resolveModels(settings, this.fallback);
    const role = (pick: { model: string } | undefined, setting: string, fallbackCtx: number, hint: RoleResolution): RoleResolution => {
      const tag = pick?.model ?? (isAuto(setting) ? hint.tag : setting.trim());
      const ctx = this.installedModels?.find((m) => m.name === tag)?.contextLength;
      const numCtx = ctx ? Math.min(ctx, fallbackCtx) : fallbackCtx;
      return { tag, numCtx, source: isAuto(setting) ? 'auto' : 'setting', recommended: pick?.model ?? tag };
    };
    return {
      completion: role(choice?.completion, settings.completion.model, COMPLETION_NUM_CTX, local.completion),
      chat: role(choice?.chat, settings.chat.model, CHAT_NUM_CTX, local.chat),
    };
  }

  /** Installed models as last listed; undefined until listed (or while Ollama is unreachable). */
  installed(): InstalledModel[] | undefined {
    return this.installedModels;
  }

  /** Lists installed models; keeps the last list and returns undefined when Ollama cannot be reached. */
  async refreshInstalled(signal?: AbortSignal): Promise<InstalledModel[] | undefined> {
    try {
      this.installedModels = await this.options.backend().listModels(signal);
      this.changed();
      return this.installedModels;
    } catch (error) {
      this.options.log.debug(`Could not list installed models: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  /** Fires when the detection, the installed list or the choice may have changed. */
  onDidChange(listener: Listener<void>): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        this.options.log.error('A model-change listener failed', error);
      }
    }
  }

  /** GPU memory held by models Ollama has loaded: it evicts them to load ours, so it counts as free. */
  private async ollamaResidentBytes(): Promise<number> {
    if (this.remoteServer()) return 0; // another machine's GPU memory says nothing about this one
    const signal = AbortSignal.timeout(this.options.psTimeoutMs ?? 2000);
    try {
      const loaded = await this.options.backend().loadedModels(signal);
      return loaded.reduce((sum, m) => sum + Math.max(0, m.sizeVramBytes), 0);
    } catch {
      return 0;
    }
  }
}

export function isModelManager(value: unknown): value is ModelManager {
  return value instanceof ModelManager;
}

/** Builds the resolver for `Services.models` (the lead calls this in activate()). */
export function createModelManager(options: ModelManagerOptions): ModelManager {
  return new ModelManager(options);
}
