// What a person does in the editor, as playwright steps on code-server's workbench page.
// Selectors are VS Code's own class names (1.100); keep them here so a VS Code update is one edit.

/* global document, HTMLElement, requestAnimationFrame -- used inside page.evaluate(), which runs in the browser */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { poll } from './codeserver.mjs';
import { resetFile, SAMPLE_FILES } from './workspace.mjs';

export const SEL = {
  workbench: '.monaco-workbench',
  quickInput: '.quick-input-widget',
  quickInputBox: '.quick-input-widget .quick-input-box input',
  quickInputRow: '.quick-input-widget .quick-input-list .monaco-list-row',
  activeEditor: '.editor-group-container.active .monaco-editor:not(.inline-diff-widget)',
  ghostText: '.ghost-text-decoration, .ghost-text-decoration-preview, .ghost-text',
  statusItem: (id) => `.statusbar-item[id$="${id}"]`,
  toast: '.notifications-toasts .notification-toast',
  notificationMessage: '.notification-list-item-message',
  suggestWidget: '.editor-widget.suggest-widget.visible',
};

const isMac = process.platform === 'darwin';
export const MOD = isMac ? 'Meta' : 'Control';

/**
 * Waits for the workbench: the folder in the explorer (first load), or, after a reload that
 * restores another sidebar view, the status bar item `statusItemId` of an extension (its host is up).
 */
export async function waitForWorkbench(page, { timeoutMs = 90_000, statusItemId } = {}) {
  await page.waitForSelector(SEL.workbench, { timeout: timeoutMs });
  if (statusItemId) await page.waitForSelector(SEL.statusItem(statusItemId), { timeout: timeoutMs });
  // The explorer is drawn once the remote connection and the folder are there.
  else await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: timeoutMs });
}

/** Closes whatever quick input, widget or toast has focus (several Escapes; harmless when none). */
export async function dismissAll(page) {
  for (let i = 0; i < 3; i++) await page.keyboard.press('Escape');
}

/**
 * Opens the command palette with `text` typed (no leading ">"). Focus inside a webview (the chat)
 * keeps F1 from the workbench: then the focus goes back to the workbench and F1 is pressed again.
 */
async function openPalette(page, text) {
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('F1');
    try {
      await page.waitForSelector(SEL.quickInputBox, { state: 'visible', timeout: 2_000 });
      break;
    } catch (error) {
      if (attempt === 2) throw error;
      await page.evaluate(() => {
        const active = document.activeElement;
        if (active instanceof HTMLElement) active.blur();
      });
      await page.locator('.statusbar').first().focus().catch(() => {});
    }
  }
  // Short: when something takes the focus meanwhile the palette closes, and the caller opens it again.
  await page.fill(SEL.quickInputBox, `>${text}`, { timeout: 3_000 });
}

/**
 * Runs a command by its title as the palette shows it ("Qwen Local: Show Log"): the row must match
 * exactly (not the first fuzzy hit), so a renamed command fails loudly. Retries while the palette
 * does not list it yet (extensions still starting). The 30 s bound is for a loaded machine: at load
 * 26 on 2 cores one palette round (F1, fill, wait, click) took several seconds and 10 s ran out with
 * the row on screen.
 */
export async function runCommand(page, title, { timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  const row = page.locator(SEL.quickInputRow).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) });
  for (;;) {
    try {
      await openPalette(page, title);
      await row.first().waitFor({ state: 'visible', timeout: Math.max(500, Math.min(3_000, deadline - Date.now())) });
      // The palette closes when something else takes the focus meanwhile (a webview that just
      // opened focuses its input): then the click fails fast and the loop opens it again.
      await row.first().click({ timeout: 2_000 });
      return;
    } catch (error) {
      if (Date.now() < deadline) {
        await page.keyboard.press('Escape');
        continue;
      }
      const seen = await visiblePaletteLabels(page);
      await page.keyboard.press('Escape');
      throw new Error(`command "${title}" is not in the palette (or could not be clicked); it shows: ${JSON.stringify(seen)}`, { cause: error });
    }
  }
}

async function visiblePaletteLabels(page) {
  return page.$$eval(`${SEL.quickInputRow} .label-name`, (els) => els.map((e) => (e.textContent ?? '').replace(/\u00a0/g, ' ')));
}

/** Resolves after the page rendered two more frames (a scrolled list has drawn its new rows). */
export async function nextFrames(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(undefined)))));
}

/**
 * The diff editor of the active group, whole: side by side, or inline where space is limited (VS
 * Code 1.139 beside its Chat bar). In the inline view the text of the ".editor.modified" line layer
 * lacked the proposed line in 2 of 3 runs although the screen showed it (why was not found); the
 * diff editor's whole text had it every time. It holds both versions.
 */
export function activeDiff(page) {
  return page.locator('.editor-group-container.active .monaco-diff-editor').first();
}

/** Text of an element as a person reads it (VS Code renders spaces as no-break spaces). */
export async function textOf(locator) {
  return ((await locator.textContent()) ?? '').replace(/\u00a0/g, ' ');
}

/** Every palette entry whose title starts with `prefix` (scrolls through the virtual list). */
export async function paletteCommands(page, prefix) {
  await openPalette(page, prefix);
  await page.waitForSelector(SEL.quickInputRow, { timeout: 10_000 });
  const seen = new Set();
  const list = page.locator('.quick-input-widget .quick-input-list .monaco-list').first();
  const box = await list.boundingBox();
  if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 30; i++) {
    const before = seen.size;
    for (const label of await visiblePaletteLabels(page)) seen.add(label);
    if (i > 0 && seen.size === before) break;
    await page.mouse.wheel(0, 200);
    await nextFrames(page);
  }
  await page.keyboard.press('Escape');
  return [...seen].filter((l) => l.startsWith(prefix)).sort();
}

/**
 * Puts a sample file back as the workspace created it, on disk and in its editor (an earlier test
 * may have left it changed), opens it and focuses the editor. Revert File runs on its own after the
 * palette closes: the editor must show the disk's text before a test types into it, or the typing
 * could race the revert (and a save then meets a file changed behind the editor's back).
 */
export async function openPristine(page, profile, relPath) {
  resetFile(profile.workspace, relPath);
  await openFile(page, relPath);
  await runCommand(page, 'File: Revert File');
  const wanted = SAMPLE_FILES[relPath];
  await poll(async () => (await editorText(page)) === wanted && (await page.locator('.tab.active.dirty').count()) === 0, 10_000, `${relPath} as on disk`).catch(async (error) => {
    throw new Error(`${relPath} did not show its text from disk after File: Revert File\n${await describeWorkbench(page)}`, { cause: error });
  });
  await focusEditor(page);
}

/** The active editor's text as drawn, lines in screen order (the whole file when it fits on screen). */
export async function editorText(page) {
  return page.evaluate(
    ([editor, ghost]) => {
      // VS Code keeps its line elements in any order and places them by "top"; ghost text is drawn
      // inside a line but is not in the file.
      const typed = (line) => {
        const copy = line.cloneNode(true);
        for (const g of copy.querySelectorAll(ghost)) g.remove();
        return (copy.textContent ?? '').replace(/\u00a0/g, ' ');
      };
      return [...document.querySelectorAll(`${editor} .view-lines .view-line`)]
        .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
        .map(typed)
        .join('\n');
    },
    [SEL.activeEditor, SEL.ghostText],
  );
}

/** Opens a workspace file by its relative path through Quick Open and focuses its editor. */
export async function openFile(page, relPath) {
  const name = relPath.split('/').pop();
  const exactly = new RegExp(`^${escapeRegExp(name)}$`);
  // Already open in a tab: click the tab. Quick Open's list keeps re-rendering while its file search
  // and "recently opened" results arrive, and a click on a moving row can miss three times in a row.
  const tab = page.locator('.tabs-container .tab').filter({ has: page.locator('.label-name', { hasText: exactly }) }).first();
  if ((await tab.count()) > 0 && (await tab.click({ timeout: 5_000 }).then(() => true, () => false))) {
    await page.locator('.tab.active', { hasText: name }).first().waitFor({ timeout: 10_000 });
    await focusEditor(page);
    return;
  }
  const row = page.locator(SEL.quickInputRow).filter({ has: page.locator('.label-name', { hasText: exactly }) });
  // Quick Open closes when something else takes the focus meanwhile (an editor that just opened or
  // closed): then it is opened again, up to five times.
  for (let attempt = 0; ; attempt++) {
    try {
      await page.keyboard.press(`${MOD}+P`);
      await page.waitForSelector(SEL.quickInputBox, { state: 'visible', timeout: 5_000 });
      await page.fill(SEL.quickInputBox, relPath, { timeout: 5_000 });
      await row.first().waitFor({ state: 'visible', timeout: 10_000 });
      // Click the row: Enter would take whichever row was active while the list was still filtering.
      await row.first().click({ timeout: 5_000 });
      break;
    } catch (error) {
      if (attempt === 4) throw error;
      await page.keyboard.press('Escape');
    }
  }
  await page.locator('.tab.active', { hasText: name }).first().waitFor({ timeout: 10_000 });
  await focusEditor(page);
}

export async function focusEditor(page) {
  await page.waitForSelector(`${SEL.activeEditor} .view-lines`, { timeout: 10_000 });
  // Clicking would move the cursor; focusing the editor's input element keeps it where it was: a
  // hidden textarea up to VS Code 1.100, the EditContext element (.native-edit-context) later.
  await page.locator(`${SEL.activeEditor} :is(.native-edit-context, textarea.inputarea)`).first().focus();
}

/** Moves the cursor to line/column (1-based) with "Go to Line/Column" (ctrl+g). */
export async function goTo(page, line, column = 1) {
  await page.keyboard.press('Control+G');
  await page.waitForSelector(SEL.quickInputBox, { state: 'visible' });
  await page.fill(SEL.quickInputBox, `:${line}:${column}`);
  await page.keyboard.press('Enter');
  await focusEditor(page);
}

/** Types like a person (a delay per key so the debounce sees real keystrokes). */
export async function type(page, text, { delayMs = 40 } = {}) {
  await page.keyboard.type(text, { delay: delayMs });
}

/** Waits for inline-completion ghost text and returns its text as shown. */
export async function waitForGhostText(page, { timeoutMs = 15_000 } = {}) {
  const ghost = page.locator(`${SEL.activeEditor} :is(${SEL.ghostText})`).first();
  await ghost.waitFor({ state: 'visible', timeout: timeoutMs });
  return ghostText(page);
}

/**
 * The ghost text now shown in the active editor ('' when none). VS Code draws it as one span per
 * token inside the cursor's line, plus a view zone (.ghost-text) for further lines.
 */
export async function ghostText(page) {
  const editor = page.locator(SEL.activeEditor).first();
  if ((await editor.count()) === 0) return '';
  return editor.evaluate((root) => {
    const lines = new Map();
    for (const el of root.querySelectorAll('.ghost-text-decoration, .ghost-text-decoration-preview')) {
      const line = el.closest('.view-line') ?? el.parentElement;
      lines.set(line, (lines.get(line) ?? '') + (el.textContent ?? ''));
    }
    for (const zone of root.querySelectorAll('.ghost-text')) {
      for (const line of zone.querySelectorAll('.view-line')) if (!lines.has(line)) lines.set(line, line.textContent ?? '');
    }
    return [...lines.values()].join('\n').replace(/\u00a0/g, ' ');
  });
}

export async function waitForNoGhostText(page, { timeoutMs = 5_000 } = {}) {
  await page.locator(`${SEL.activeEditor} :is(${SEL.ghostText})`).first().waitFor({ state: 'hidden', timeout: timeoutMs });
}

/**
 * Saves the active editor and returns the file's text from disk: exactly what the user would get.
 * When the tab stays dirty, the error says what the workbench showed (a save conflict or a write
 * error is a notification) and what the disk holds, so a failure in CI explains itself.
 */
export async function saveAndRead(page, absPath) {
  await page.keyboard.press(`${MOD}+S`);
  // The dirty dot on the tab goes away once the file is written.
  try {
    await page.waitForSelector('.tab.active:not(.dirty)', { timeout: 10_000 });
  } catch (error) {
    const disk = existsSync(absPath) ? JSON.stringify(readFileSync(absPath, 'utf8')) : '(no file)';
    throw new Error(`the saved tab stayed dirty for 10 s\n${await describeWorkbench(page)}\ndisk: ${disk}`, { cause: error });
  }
  return readFileSync(absPath, 'utf8');
}

/**
 * What a person would see that explains a failed step, as text for a test's error: the tabs (which
 * is active, which unsaved), the notifications, the focused element, the Qwen Local status bar
 * item and the active editor's text.
 */
export async function describeWorkbench(page) {
  try {
    const seen = await page.evaluate(() => {
      const text = (el) => (el?.textContent ?? '').replace(/\u00a0/g, ' ').trim();
      const tabs = [...document.querySelectorAll('.tabs-container .tab')].map(
        (t) => `${text(t.querySelector('.label-name'))}${t.classList.contains('active') ? ' (active)' : ''}${t.classList.contains('dirty') ? ' (unsaved)' : ''}`,
      );
      const focus = document.activeElement;
      return { tabs, focused: focus ? `${focus.tagName.toLowerCase()}.${[...focus.classList].join('.')}` : 'none' };
    });
    const notes = await notificationMessages(page);
    return [
      `tabs: ${seen.tabs.join(', ') || 'none'}`,
      `notifications: ${notes.length ? notes.map((n) => JSON.stringify(n)).join(', ') : 'none'}`,
      `focus: ${seen.focused}`,
      `Qwen Local status bar: ${JSON.stringify(await statusBarText(page, 'qwenLocal.status'))}`,
      `active editor: ${JSON.stringify(await editorText(page))}`,
    ].join('\n');
  } catch (e) {
    return `(the page could not be read: ${e instanceof Error ? e.message : e})`;
  }
}

/** Clicks a button in the active editor's title bar by (part of) its label ("Accept Proposal"). */
export async function clickEditorTitleAction(page, label, { timeoutMs = 10_000 } = {}) {
  const actions = page.locator('.editor-group-container.active .editor-actions a.action-label');
  const wanted = actions.and(page.locator(`[aria-label*="${label}"], [title*="${label}"]`)).first();
  try {
    await wanted.waitFor({ state: 'visible', timeout: timeoutMs });
  } catch (error) {
    const labels = await actions.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.getAttribute('title') ?? ''));
    throw new Error(`no "${label}" button in the editor title; it has ${JSON.stringify(labels)}`, { cause: error });
  }
  await wanted.click();
}

/**
 * The page inside a webview of the extension `extensionId`: VS Code names the owning extension in
 * the outer iframe's URL (`extensionId=publisher.name`), so another extension's webview (or the
 * walkthrough's) can never be picked by mistake. `.ready` once its content loaded.
 */
export function extensionWebview(page, extensionId) {
  return page.frameLocator(`iframe.webview.ready[src*="extensionId=${encodeURIComponent(extensionId)}"]`).frameLocator('iframe#active-frame');
}

/** Text of a status bar item (icons dropped), by the end of its id ("qwenLocal.status"). */
export async function statusBarText(page, id) {
  const item = page.locator(SEL.statusItem(id)).first();
  if ((await item.count()) === 0) return undefined;
  return ((await item.textContent()) ?? '').trim();
}

/** Waits until the status bar item's text matches `re`; returns the text. */
export async function waitForStatusBar(page, id, re, { timeoutMs = 20_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await statusBarText(page, id);
    if (last !== undefined && re.test(last)) return last;
    if (Date.now() > deadline) throw new Error(`status bar item ${id}: expected ${re}, saw ${JSON.stringify(last)}`);
    await page.waitForTimeout(200);
  }
}

/** Messages of the notification toasts now visible. */
export async function notifications(page) {
  return page.$$eval(`${SEL.toast} ${SEL.notificationMessage}`, (els) => els.map((e) => e.textContent ?? ''));
}

/** Messages of every notification the page holds: visible toasts and the center's list (shown or not). */
export async function notificationMessages(page) {
  return page.$$eval(`:is(.notifications-toasts, .notifications-center) ${SEL.notificationMessage}`, (els) => els.map((e) => e.textContent ?? ''));
}

/**
 * Closes every editor. One an earlier scenario left unsaved is reverted first: its save question
 * (a modal) would otherwise block every click after it (seen on VS Code 1.139, math.ts after chat).
 */
export async function closeAllEditors(page) {
  for (let i = 0; i < 5 && (await page.locator('.tab.dirty').count()) > 0; i++) {
    await page.locator('.tab.dirty').first().click();
    await runCommand(page, 'File: Revert File');
  }
  await runCommand(page, 'View: Close All Editors');
}

/** Closes every notification (toasts and the center) via the workbench command. */
export async function clearNotifications(page) {
  await runCommand(page, 'Notifications: Clear All Notifications');
}

/**
 * Messages of all notifications, shown or not (toasts hide after a while; the Notification
 * Center keeps them): opens the center, reads it, closes it.
 */
export async function allNotifications(page) {
  await runCommand(page, 'Notifications: Show Notifications');
  await page.waitForSelector('.notifications-center.visible', { timeout: 5_000 });
  const messages = await page.$$eval(`.notifications-center ${SEL.notificationMessage}`, (els) => els.map((e) => e.textContent ?? ''));
  await runCommand(page, 'Notifications: Hide Notifications');
  return messages;
}

/**
 * Finds the notification whose message matches `messageRe` and clicks its button `label`; returns
 * the message text. A toast hides after a while (or never shows while the center is open), so when
 * it is not a visible toast the Notification Center (which lists every notification) is opened at
 * once and searched. `beforeClick(message)` runs while it is shown (a screenshot, a check).
 */
export async function clickNotificationButton(page, messageRe, label, { timeoutMs = 20_000, beforeClick } = {}) {
  // An information toast with buttons hides itself after some seconds (into the Notification
  // Center): a toast found just before that happens is gone by the click, so look again.
  for (let attempt = 1; ; attempt++) {
    const found = await waitForNotification(page, messageRe, { timeoutMs });
    const message = (await found.locator(SEL.notificationMessage).textContent()) ?? '';
    const button = found.locator('.monaco-button', { hasText: label }).first();
    if ((await button.count()) === 0) {
      const labels = await found.locator('.monaco-button').allTextContents();
      throw new Error(`notification "${message}" has no button "${label}" (it has ${JSON.stringify(labels)})`);
    }
    if (attempt === 1) await beforeClick?.(message);
    try {
      await button.click({ timeout: 5_000 });
      return message;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

/**
 * Waits for a notification whose message matches `messageRe`, as a visible toast or in the
 * Notification Center (opened when no toast shows it); returns its list item (a locator).
 */
export async function waitForNotification(page, messageRe, { timeoutMs = 20_000 } = {}) {
  const item = (scope) =>
    page
      .locator(`${scope} .notification-list-item`)
      .filter({ has: page.locator(SEL.notificationMessage, { hasText: messageRe }) })
      .first();
  const deadline = Date.now() + timeoutMs;
  let centerOpened = false;
  for (;;) {
    for (const scope of ['.notifications-toasts', '.notifications-center']) {
      const found = item(scope);
      if ((await found.count()) > 0 && (await found.isVisible())) return found;
    }
    if (!centerOpened) {
      centerOpened = true;
      await runCommand(page, 'Notifications: Show Notifications');
      await page.waitForSelector('.notifications-center.visible', { timeout: 5_000 });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`no notification matching ${messageRe} within ${timeoutMs} ms; center: ${JSON.stringify(await page.$$eval(`.notifications-center ${SEL.notificationMessage}`, (els) => els.map((e) => e.textContent ?? '')))}`);
    }
    await page.waitForTimeout(200); // polling the DOM for a condition, not a fixed wait
  }
}

export function readWorkspaceFile(workspace, rel) {
  return readFileSync(join(workspace, rel), 'utf8');
}

export function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
