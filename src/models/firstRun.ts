// What to ask a person the first time, decided purely. Nothing is ever downloaded without consent,
// and each question is asked once (the answer is remembered in globalState by the glue).

import { findModel } from '../hardware/catalog';
import type { Choice } from '../hardware/choose';
import { formatDownload } from '../hardware/units';
import { modelSource } from './pull';
import { isAuto, isInstalled, type ModelSettings } from './resolve';

export interface FirstRunState {
  /** The setup walkthrough was opened once because Ollama was unreachable. */
  walkthroughShown: boolean;
  /** The "download the recommended models?" question was asked once (whatever the answer). */
  pullAsked: boolean;
  /**
   * A server answered once on this installation: it is not a first run, so an unreachable server
   * now is an outage (the status says so), never a reason for the setup walkthrough.
   */
  connectedBefore: boolean;
}

export const FIRST_RUN_KEYS = {
  walkthroughShown: 'qwenLocal.firstRun.walkthroughShown',
  pullAsked: 'qwenLocal.firstRun.pullAsked',
  connectedBefore: 'qwenLocal.firstRun.connectedBefore',
} as const;

export interface FirstRunInput {
  reachable: boolean;
  state: FirstRunState;
  /** Installed model names from /api/tags (only meaningful when reachable). */
  installed: readonly string[];
  settings: ModelSettings;
  choice: Choice;
}

export interface MissingModel {
  tag: string;
  roles: ('completion' | 'chat')[];
  /** Known for catalog models; undefined for other tags. */
  downloadBytes?: number;
}

export type FirstRunDecision =
  | { kind: 'openWalkthrough' }
  | { kind: 'askToPull'; models: MissingModel[]; totalBytes: number; message: string; acceptLabel: string }
  | { kind: 'none'; reason: 'walkthroughAlreadyShown' | 'connectedBefore' | 'allInstalled' | 'alreadyAsked' };

/** The models the settings and the hardware choice want, each once. */
export function wantedModels(settings: ModelSettings, choice: Choice): MissingModel[] {
  const roles: { role: 'completion' | 'chat'; tag: string }[] = [
    { role: 'completion', tag: isAuto(settings.completion.model) ? choice.completion.tag : settings.completion.model.trim() },
    { role: 'chat', tag: isAuto(settings.chat.model) ? choice.chat.tag : settings.chat.model.trim() },
  ];
  const out: MissingModel[] = [];
  for (const { role, tag } of roles) {
    const existing = out.find((m) => m.tag.toLowerCase() === tag.toLowerCase());
    if (existing) existing.roles.push(role);
    else out.push({ tag, roles: [role], downloadBytes: findModel(tag)?.downloadBytes });
  }
  return out;
}

function roleWords(m: MissingModel): string {
  return m.roles.length === 2 ? 'completion and chat' : m.roles[0];
}

export function decideFirstRun(input: FirstRunInput): FirstRunDecision {
  if (!input.reachable) {
    if (input.state.connectedBefore) return { kind: 'none', reason: 'connectedBefore' };
    return input.state.walkthroughShown ? { kind: 'none', reason: 'walkthroughAlreadyShown' } : { kind: 'openWalkthrough' };
  }
  const missing = wantedModels(input.settings, input.choice).filter((m) => !isInstalled(m.tag, input.installed));
  if (missing.length === 0) return { kind: 'none', reason: 'allInstalled' };
  if (input.state.pullAsked) return { kind: 'none', reason: 'alreadyAsked' };
  const totalBytes = missing.reduce((sum, m) => sum + (m.downloadBytes ?? 0), 0);
  const unknown = missing.some((m) => m.downloadBytes === undefined);
  const size = totalBytes > 0 ? `${formatDownload(totalBytes)}${unknown ? ' plus models of unknown size' : ''}` : 'size unknown';
  // A model outside the catalog names its source: a name in settings must not pull from an
  // unknown publisher without the user reading where it comes from.
  const source = (m: MissingModel) => (findModel(m.tag) || modelSource(m.tag).official ? '' : `, from ${modelSource(m.tag).text}`);
  const list = missing.map((m) => `${m.tag} (${roleWords(m)}${m.downloadBytes ? `, ${formatDownload(m.downloadBytes)}` : ''}${source(m)})`).join(' and ');
  const message = `Qwen Local picked ${list} for this machine (${input.choice.memoryLabel}). ${
    missing.length === 1 ? 'It is' : 'They are'
  } not installed yet. Download ${size} now?`;
  return { kind: 'askToPull', models: missing, totalBytes, message, acceptLabel: totalBytes > 0 ? `Download ${formatDownload(totalBytes)}` : 'Download' };
}
