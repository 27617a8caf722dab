// Model choice for a server that is not this machine (vLLM, llama-server, LM Studio, or a remote
// Ollama): never from the local GPU, only from what the server lists. Picks the best base/coder
// model for completions (fill-in-the-middle) and the best instruct model for chat, and explains the
// choice in sentences for "Show Hardware and Models". Pure: no `vscode`, no client.

/** What a server's model list tells about one model (InstalledModel fits). */
export interface RemoteModel {
  name: string;
  /** vLLM's max_model_len, llama.cpp's n_ctx_train, Ollama's context length. */
  contextLength?: number;
  /** Ollama's details.parameter_size ("7.6B"), when the server says. */
  parameterSize?: string;
}

export interface Pick {
  model: string;
  /** Why this one, as a clause ("a 7B base coder model with fill-in-the-middle, 32768-token context"). */
  why: string;
}

export interface RemoteChoice {
  /** Undefined when nothing on the server can fill in the middle: inline completions stay off. */
  completion?: Pick;
  /** Undefined when nothing on the server is an instruct model. */
  chat?: Pick;
  /** The whole explanation, naming the server ("served by team-gpu.example:8000, not this machine"). */
  explanation: string;
  /** What is wrong or missing, each a sentence that says what to do. */
  problems: string[];
}

export interface RemoteChoiceOptions {
  /** The user's `qwenLocal.completion.model` / `qwenLocal.chat.model`; "auto" or empty = choose. */
  completionModel?: string;
  chatModel?: string;
  /**
   * Largest model (billions of active parameters) chosen for ghost text: a team GPU decodes faster
   * than a laptop, but completions still want low latency under a shared batch. Default 14.
   */
  completionCapB?: number;
}

interface Traits {
  model: RemoteModel;
  /** Billions of parameters (total), undefined when neither name nor metadata says. */
  sizeB?: number;
  /** Billions of active parameters (MoE "30B-A3B" → 3), else sizeB. */
  activeB?: number;
  coder: boolean;
  instruct: boolean;
  fim: boolean;
  /** Newer families rank higher (Qwen3-Coder over Qwen2.5-Coder over other coder models). */
  generation: number;
}

const FIM_CODERS = /deepseek-?coder|starcoder|code-?llama|codestral|codegemma/i;

function sizeFrom(name: string, parameterSize?: string): { sizeB?: number; activeB?: number } {
  const base = name.split('/').pop() ?? name;
  const moe = /(\d+(?:\.\d+)?)b[-_]a(\d+(?:\.\d+)?)b/i.exec(base);
  if (moe) return { sizeB: Number(moe[1]), activeB: Number(moe[2]) };
  const m = /(?:^|[-_:.\s])(\d+(?:\.\d+)?)b(?=$|[-_:.\s])/i.exec(base);
  const fromMeta = parameterSize ? /^(\d+(?:\.\d+)?)\s*([BM])/i.exec(parameterSize.trim()) : null;
  const size = m ? Number(m[1]) : fromMeta ? Number(fromMeta[1]) / (fromMeta[2]?.toUpperCase() === 'M' ? 1000 : 1) : undefined;
  return size === undefined ? {} : { sizeB: size, activeB: size };
}

export function traitsOf(model: RemoteModel): Traits {
  const name = model.name;
  const lower = name.toLowerCase();
  const coder = /coder|code/.test(lower);
  // Ollama's bare size tags ("qwen2.5-coder:7b") and ":latest" are its instruct models.
  const ollamaBareTag = /:(\d+(\.\d+)?b|latest)$/i.test(name);
  const instruct = /instruct|chat|-it\b|[-_]it[-_.]/i.test(name) || ollamaBareTag;
  const base = /base/i.test(name) || !instruct;
  const qwen3 = /qwen3-?coder/i.test(lower);
  const qwenCoder = /qwen[\d.]*-?coder/i.test(lower);
  // Qwen3-Coder's instruct models keep fill-in-the-middle; Qwen2.5-Coder's FIM is the base models'.
  const fim = (qwenCoder && (base || qwen3)) || (FIM_CODERS.test(lower) && base);
  const generation = qwen3 ? 3 : qwenCoder ? 2 : coder ? 1 : 0;
  return { model, ...sizeFrom(name, model.parameterSize), coder, instruct, fim, generation };
}

/** "7B", "30B (3B active)", or '' when unknown. */
function sizeText(t: Traits): string {
  if (t.sizeB === undefined) return '';
  return t.activeB !== undefined && t.activeB !== t.sizeB ? `${t.sizeB}B (${t.activeB}B active)` : `${t.sizeB}B`;
}

function contextClause(t: Traits): string {
  return t.model.contextLength ? `, ${t.model.contextLength}-token context` : '';
}

function byPreference(cap: number | undefined) {
  return (a: Traits, b: Traits): number => {
    if (cap !== undefined) {
      const fitA = (a.activeB ?? 0) <= cap;
      const fitB = (b.activeB ?? 0) <= cap;
      if (fitA !== fitB) return fitA ? -1 : 1;
      // Above the cap on both sides: the smaller is faster.
      if (!fitA) return (a.activeB ?? Infinity) - (b.activeB ?? Infinity);
    }
    if (a.generation !== b.generation) return b.generation - a.generation;
    if ((a.sizeB ?? 0) !== (b.sizeB ?? 0)) return (b.sizeB ?? 0) - (a.sizeB ?? 0);
    return (b.model.contextLength ?? 0) - (a.model.contextLength ?? 0);
  };
}

function isAuto(v: string | undefined): boolean {
  return v === undefined || v.trim() === '' || v.trim().toLowerCase() === 'auto';
}

/** Chooses completion and chat models from what `server` (a host label such as "team-gpu.example:8000") serves. */
export function chooseRemoteModels(models: readonly RemoteModel[], server: string, options: RemoteChoiceOptions = {}): RemoteChoice {
  const where = `served by ${server}, not this machine`;
  const names = [...new Set(models.map((m) => m.name.trim()).filter((n) => n !== ''))];
  if (names.length === 0) {
    return {
      explanation: `${server} serves no models, so Qwen Local has nothing to use there.`,
      problems: [`${server} lists no models. Start the server with one, e.g. \`vllm serve Qwen/Qwen2.5-Coder-7B\` or \`llama-server -m <model>.gguf\`.`],
    };
  }
  const all = names.map((n) => traitsOf(models.find((m) => m.name.trim() === n) ?? { name: n }));
  const problems: string[] = [];
  const find = (name: string) => all.find((t) => t.model.name === name.trim());

  let chatOverride: Traits | undefined;
  if (!isAuto(options.chatModel)) {
    chatOverride = find(options.chatModel ?? '');
    if (!chatOverride) problems.push(`The chat model "${options.chatModel}" is not served by ${server} (it serves ${names.join(', ')}). Qwen Local picks one of these instead.`);
  }
  let completionOverride: Traits | undefined;
  if (!isAuto(options.completionModel)) {
    const wanted = find(options.completionModel ?? '');
    if (!wanted) {
      problems.push(`The completion model "${options.completionModel}" is not served by ${server} (it serves ${names.join(', ')}). Qwen Local picks one of these instead.`);
    } else if (!wanted.fim) {
      problems.push(`"${wanted.model.name}" is a chat model without fill-in-the-middle, so it cannot do inline completions; it is offered for chat only.`);
      chatOverride ??= wanted;
    } else {
      completionOverride = wanted;
    }
  }

  const fimModels = all.filter((t) => t.fim).sort(byPreference(options.completionCapB ?? 14));
  const chatModels = all.filter((t) => t.instruct).sort(byPreference(undefined));
  const completion = completionOverride ?? fimModels[0];
  const chat = chatOverride ?? chatModels.sort((a, b) => Number(b.coder) - Number(a.coder))[0];

  if (!completion) {
    const chatOnly = all.filter((t) => t.instruct).map((t) => t.model.name);
    problems.push(
      `None of the models on ${server} can fill in the middle${chatOnly.length ? ` (${chatOnly.join(', ')} ${chatOnly.length === 1 ? 'is a chat model' : 'are chat models'})` : ''}, so inline completions are off. Serve a base coder model such as Qwen/Qwen2.5-Coder-7B for them.`,
    );
  }
  if (!chat) problems.push(`None of the models on ${server} is an instruct model, so chat and the actions are off. Serve one such as Qwen/Qwen2.5-Coder-7B-Instruct.`);

  const completionPick = completion && {
    model: completion.model.name,
    why: completionOverride
      ? `your setting${contextClause(completion)}`
      : `${[sizeText(completion), completion.coder ? 'coder' : ''].filter(Boolean).join(' ')} model with fill-in-the-middle${contextClause(completion)}`.trimStart(),
  };
  const chatPick = chat && {
    model: chat.model.name,
    why: chatOverride
      ? `your setting${contextClause(chat)}`
      : `the best instruct ${chat.coder ? 'coder ' : ''}model there${sizeText(chat) ? `, ${sizeText(chat)}` : ''}${contextClause(chat)}`,
  };
  const parts: string[] = [];
  if (completionPick) parts.push(`Completions: ${completionPick.model} (${completionPick.why}).`);
  if (chatPick) parts.push(`Chat: ${chatPick.model} (${chatPick.why}).`);
  const explanation = parts.length ? `${parts.join(' ')} ${parts.length === 2 ? 'Both are' : 'It is'} ${where}.` : `No usable model on ${server}.`;
  return { ...(completionPick ? { completion: completionPick } : {}), ...(chatPick ? { chat: chatPick } : {}), explanation, problems };
}
