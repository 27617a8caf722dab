// The text of "Qwen Local: Show Hardware and Models", built purely from what was gathered.

import type { InstalledModel, LoadedModel } from '../backend/backend';
import type { Choice, ModelPick } from '../hardware/choose';
import { isLoopbackHost } from '../backend/host';
import { BUDGET_SHARE, CPU_RAM_SHARE } from '../hardware/choose';
import { gpuSplit } from '../hardware/parse';
import type { HardwareInfo } from '../hardware/types';
import { formatDownload, formatMemory } from '../hardware/units';
import { formatDuration } from './pull';
import type { RemoteChoice } from './remoteChoice';
import { isInstalled, type Resolved, type RoleResolution } from './resolve';

export interface ReportInput {
  /** Undefined while detection still runs. */
  hardware: HardwareInfo | undefined;
  choice: Choice;
  resolved: Resolved;
  allowLargeModels: boolean;
  host: string;
  /** Undefined when Ollama was not reachable (then `ollamaError` says why). */
  version?: string;
  installed?: readonly InstalledModel[];
  loaded?: readonly LoadedModel[];
  ollamaError?: string;
  /** For "unloads in …"; epoch milliseconds. */
  now: number;
  /** A team server or remote Ollama: the models are chosen from its list, not this machine. */
  remote?: { label: string; kind: 'ollama' | 'openai'; choice?: RemoteChoice };
}

/** The choice section for a server that is not this machine: what it serves and why these. */
function remoteSection(input: ReportInput, remote: NonNullable<ReportInput['remote']>): string[] {
  const lines = ['## Choice', '', `**Models served by ${cell(remote.label)}, not this machine.** This machine's GPU plays no part in the choice.`, ''];
  if (remote.choice) {
    lines.push(`- ${cell(remote.choice.explanation)}`);
    for (const p of remote.choice.problems) lines.push(`- ${cell(p)}`);
  } else {
    lines.push(`- The model list of ${cell(remote.label)} could not be read yet${input.ollamaError ? `: ${cell(input.ollamaError)}` : ''}.`);
  }
  lines.push('', '| Role | Model | Context |', '| --- | --- | --- |');
  lines.push(`| Completion | ${code(input.resolved.completion.tag)} | ${input.resolved.completion.numCtx.toLocaleString('en-US')} tokens |`);
  lines.push(`| Chat | ${code(input.resolved.chat.tag)} | ${input.resolved.chat.numCtx.toLocaleString('en-US')} tokens |`);
  lines.push('', 'Set `qwenLocal.completion.model` or `qwenLocal.chat.model` to one of the names the server lists to override `auto`.', '');
  if (remote.kind === 'openai') {
    lines.push(`## Server at ${cell(input.host)}`, '');
    if (input.version === undefined) lines.push(`Not reachable${input.ollamaError ? `: ${cell(input.ollamaError)}` : ''}.`, '');
    else lines.push(`${cell(input.version)} (OpenAI-compatible). Models are started with the server; pulling is an Ollama action.`, '');
    lines.push('### Models it serves', '');
    const listed = input.installed ?? [];
    if (listed.length === 0) lines.push('None listed.', '');
    else {
      lines.push('| Model | Context |', '| --- | --- |');
      for (const m of listed) lines.push(`| ${code(m.name)} | ${m.contextLength ? `${count(m.contextLength)} tokens` : '—'} |`);
      lines.push('');
    }
  }
  return lines;
}

/**
 * Any text from outside (the server's version and model names, tool output, an error) as inert
 * markdown: one line, every character that can open markup inside a line backslash-escaped, so
 * `![](https://…)` stays text instead of becoming an image that calls a tracker, and `<img>` stays
 * text too (security review finding 11).
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must go
const CONTROL = /[\u0000-\u001f\u007f]+/g;

function cell(text: unknown): string {
  return String(text)
    .replace(CONTROL, ' ')
    .replace(/[\\`*_[\]<>!|&~]/g, '\\$&');
}

/** A name as a code span: literal inside, one line, and safe in a table cell. */
function code(text: unknown): string {
  return `\`${String(text).replace(CONTROL, ' ').replace(/`/g, "'").replace(/\|/g, '\\|')}\``;
}

/** A number the server sent, or a dash when it sent something else. */
function count(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toLocaleString('en-US') : '—';
}

function ago(ms: number): string {
  return ms < 60_000 ? 'less than a minute ago' : `${formatDuration(ms / 1000)} ago`;
}

function sourceText(r: RoleResolution): string {
  switch (r.source) {
    case 'setting':
      return r.tag === r.recommended ? 'your setting (also the recommendation)' : `your setting (recommended: ${code(r.recommended)})`;
    case 'installed':
      return `auto: ${code(r.recommended)} is not installed, so this installed model stands in`;
    case 'auto':
      return 'auto (recommended for this machine)';
  }
}

function needFor(tag: string, picks: ModelPick[]): string {
  const p = picks.find((x) => x.tag === tag);
  return p ? formatMemory(p.needBytes) : '—';
}

function machineSection(hw: HardwareInfo | undefined, host: string, now: number): string[] {
  const lines = ['## This machine', ''];
  if (!isLoopbackHost(new URL(host).hostname)) {
    lines.push(`Ollama runs at ${cell(host)}, which may be another machine: the choice below is based on the memory of the machine VS Code runs on.`, '');
  }
  if (!hw) return [...lines, 'Detection is still running; the choice below is the safe default for a machine without a GPU.', ''];
  const s = hw.system;
  lines.push(
    `- System: ${s.platform} ${s.arch}, ${cell(s.cpuModel)}, ${s.cpuCores} cores`,
    `- RAM: ${formatMemory(s.totalRamBytes)} (${formatMemory(s.freeRamBytes)} free at detection)`,
  );
  if (hw.apple) {
    const a = hw.apple;
    lines.push(
      `- GPU: ${cell(a.chip)}, unified memory: ${formatMemory(a.gpuUsableBytes)} usable by the GPU${
        a.wiredLimitBytes ? ` (iogpu.wired_limit_mb is set to ${Math.round(a.wiredLimitBytes / 1024 ** 2)} MB)` : ' (Metal\'s usual share)'
      }`,
    );
  } else if (hw.gpus.length === 0) {
    lines.push('- GPU: none that Ollama can use on this machine (models run on the CPU)');
  } else {
    for (const g of hw.gpus) {
      const free = g.freeBytes === undefined ? 'free memory not reported' : `${formatMemory(g.freeBytes)} free`;
      lines.push(`- GPU ${g.index}: ${cell(g.name)}, ${formatMemory(g.totalBytes)}, ${free} (${g.source})`);
    }
  }
  if (hw.notes.length > 0) {
    lines.push('', '**Notes**', '');
    for (const n of hw.notes) lines.push(`- ${cell(n)}`);
  }
  lines.push('', `_Detected ${ago(now - hw.detectedAt)}. Run "Qwen Local: Detect Hardware Again" after changing drivers or GPUs._`, '');
  return lines;
}

function untilText(expiresAt: string | undefined, now: number): string {
  if (!expiresAt) return '—';
  const t = Date.parse(expiresAt);
  if (!Number.isFinite(t)) return '—';
  const seconds = (t - now) / 1000;
  // Ollama reports keep_alive -1 as a date far in the future.
  if (seconds > 365 * 24 * 3600) return 'never (kept loaded)';
  if (seconds <= 0) return 'now';
  return `in ${formatDuration(seconds)}`;
}

export function buildHardwareReport(input: ReportInput): string {
  const { choice, resolved } = input;
  const lines: string[] = ['# Qwen Local: hardware and models', ''];
  lines.push(...machineSection(input.hardware, input.host, input.now));
  if (input.remote) {
    lines.push(...remoteSection(input, input.remote));
    if (input.remote.kind === 'openai') return lines.join('\n');
  }

  if (!input.remote) {
    lines.push('## Choice', '', `**${cell(choice.summary)}.**`, '');
    lines.push(`- ${budgetText(input.hardware, choice)}`);
    for (const r of choice.reasons) if (!r.startsWith('Models may use')) lines.push(`- ${cell(r)}`);
    lines.push('');
    const picks = [choice.completion, choice.chat];
    lines.push('| Role | Model | Why this one | Needs | Context |', '| --- | --- | --- | --- | --- |');
    const names = input.version === undefined ? undefined : (input.installed ?? []).map((m) => m.name);
    for (const [role, r] of [
      ['Completion', resolved.completion],
      ['Chat', resolved.chat],
    ] as const) {
      const missing = names && !isInstalled(r.tag, names) ? ' (not installed: run "Qwen Local: Pull Model")' : '';
      lines.push(`| ${role} | ${code(r.tag)}${missing} | ${sourceText(r)} | ${needFor(r.tag, picks)} | ${r.numCtx.toLocaleString('en-US')} tokens |`);
    }
    lines.push(
      '',
      `Large completion models (14b, 32b) are ${input.allowLargeModels ? 'allowed' : 'not picked automatically'} (setting \`qwenLocal.completion.allowLargeModels\`). ` +
        'Set `qwenLocal.completion.model` or `qwenLocal.chat.model` to a tag to override `auto`.',
      '',
    );
  }

  lines.push(`## Ollama at ${cell(input.host)}`, '');
  if (input.version === undefined) {
    lines.push(`Not reachable${input.ollamaError ? `: ${cell(input.ollamaError)}` : ''}.`, '');
    return lines.join('\n');
  }
  lines.push(`Version ${code(input.version)}.`, '');

  lines.push('### Installed models', '');
  const installed = input.installed ?? [];
  if (installed.length === 0) {
    lines.push('None yet. Run "Qwen Local: Pull Model".', '');
  } else {
    lines.push('| Model | Download size | Parameters | Quantization |', '| --- | --- | --- | --- |');
    for (const m of [...installed].sort((a, b) => a.name.localeCompare(b.name))) {
      lines.push(`| ${code(m.name)} | ${formatDownload(m.sizeBytes)} | ${m.parameterSize ? code(m.parameterSize) : '—'} | ${m.quantization ? code(m.quantization) : '—'} |`);
    }
    lines.push('');
  }

  lines.push('### Loaded now', '');
  const loaded = input.loaded ?? [];
  if (loaded.length === 0) {
    lines.push('No model is loaded. Ollama loads one on its first request.', '');
  } else {
    lines.push('| Model | In memory | Where | Context | Unloads |', '| --- | --- | --- | --- | --- |');
    for (const m of loaded) {
      const split = gpuSplit(m);
      const ctx = m.contextLength ? `${count(m.contextLength)} tokens` : '—';
      lines.push(`| ${code(m.name)} | ${formatMemory(m.sizeBytes)} | ${split.label} | ${ctx} | ${untilText(m.expiresAt, input.now)} |`);
    }
    const noGpuHere = input.hardware && !input.hardware.apple && input.hardware.gpus.length === 0;
    if (noGpuHere && loaded.some((m) => (gpuSplit(m).gpuFraction ?? 0) > 0.005)) {
      lines.push(
        '',
        'Ollama reports GPU memory in use although this machine shows no GPU: Ollama runs on another machine (or detection missed this GPU). "Where" is the server\'s view; the choice above is this machine\'s.',
      );
    }
    const partly = loaded.filter((m) => (gpuSplit(m).gpuFraction ?? 1) < 0.995 && input.hardware && input.hardware.gpus.length > 0);
    if (partly.length > 0) {
      lines.push(
        '',
        `Part of ${partly.map((m) => code(m.name)).join(', ')} runs on the CPU, which slows it down a lot. Pick a smaller model, lower the context, or close other programs using the GPU.`,
      );
    }
    lines.push('');
  }
  lines.push('_Memory (RAM, GPU, "Needs", "In memory") is in binary GB as GPU vendors label it; download sizes are decimal GB as Ollama lists them._', '');
  return lines.join('\n');
}

/** Where the budget comes from, so no number in the report stands unexplained. */
function budgetText(hw: HardwareInfo | undefined, choice: Choice): string {
  const share = `${Math.round(BUDGET_SHARE * 100)} %`;
  const from =
    choice.device === 'cpu' && hw
      ? `${formatMemory(choice.usableBytes)} (${Math.round(CPU_RAM_SHARE * 100)} % of the ${formatMemory(hw.system.totalRamBytes)} RAM, as the models run on the CPU)`
      : `${formatMemory(choice.usableBytes)} (${cell(choice.memoryLabel)})`;
  return `Memory budget ${formatMemory(choice.budgetBytes)}: ${share} of ${from}; the rest is headroom for the display and other programs.`;
}
