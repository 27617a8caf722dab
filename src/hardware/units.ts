// How sizes are written for people. Pure.
//
// Memory (RAM, VRAM) is counted in binary units and written "GB", as vendors label it (a "24 GB"
// RTX 4090 has 24 GiB); downloads in decimal units, as Ollama's library and `ollama list` show them.

import { GiB } from './catalog';

export function formatMemory(bytes: number): string {
  const gib = bytes / GiB;
  if (gib >= 100) return `${Math.round(gib)} GB`;
  if (gib >= 1 || gib === 0) return `${gib.toFixed(1)} GB`;
  return `${Math.round(bytes / 1024 ** 2)} MB`;
}

export function formatDownload(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} KB`;
  return `${Math.round(bytes)} B`;
}
