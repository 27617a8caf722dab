// Tiny DOM helpers for the page (no framework). Text always goes in as text, never as markup.

export interface ElementSpec {
  class?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string>;
  data?: Record<string, string>;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  spec: ElementSpec = {},
  children: (Node | string | undefined | false)[] = [],
): HTMLElementTagNameMap[K] {
  const el = doc.createElement(tag);
  if (spec.class) el.className = spec.class;
  if (spec.text !== undefined) el.textContent = spec.text;
  if (spec.title) el.title = spec.title;
  for (const [k, v] of Object.entries(spec.attrs ?? {})) el.setAttribute(k, v);
  for (const [k, v] of Object.entries(spec.data ?? {})) el.dataset[k] = v;
  for (const child of children) if (child) el.append(child);
  return el;
}

export function icon(doc: Document, name: string): HTMLSpanElement {
  return h(doc, 'span', { class: `codicon codicon-${name}`, attrs: { 'aria-hidden': 'true' } });
}

/** A button with an icon and an accessible name; `label` is also shown when `showLabel`. */
export function button(
  doc: Document,
  spec: { icon?: string; label: string; command?: string; class?: string; showLabel?: boolean; data?: Record<string, string> },
): HTMLButtonElement {
  const b = h(doc, 'button', {
    class: spec.class ?? (spec.showLabel ? 'text-button' : 'icon-button'),
    title: spec.label,
    attrs: { type: 'button', ...(spec.showLabel ? {} : { 'aria-label': spec.label }) },
    data: { ...(spec.command ? { command: spec.command } : {}), ...(spec.data ?? {}) },
  });
  if (spec.icon) b.append(icon(doc, spec.icon));
  if (spec.showLabel) b.append(h(doc, 'span', { text: spec.label }));
  return b;
}

/** "1.2k" style token counts. */
export function formatTokens(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 10_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  return `${Math.round(n / 1000)}k`;
}

export function relativeTime(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const hours = Math.round(m / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 30) return `${days} d ago`;
  return new Date(ms).toLocaleDateString();
}
