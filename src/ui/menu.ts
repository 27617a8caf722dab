// The status bar menu: menuEntries.ts's list in a quick pick.

import * as vscode from 'vscode';
import { menuEntries, type MenuEntry, type MenuFacts } from './menuEntries';

export type { MenuFacts } from './menuEntries';

type Item = vscode.QuickPickItem & Pick<MenuEntry, 'command' | 'args'>;

export async function showMenu(facts: MenuFacts): Promise<void> {
  const items: Item[] = menuEntries(facts).map(({ separator, ...e }) => (separator ? { ...e, kind: vscode.QuickPickItemKind.Separator } : e));
  const pick = await vscode.window.showQuickPick(items, { title: 'Qwen Local', placeHolder: 'Choose an action' });
  if (pick?.command) await vscode.commands.executeCommand(pick.command, ...(pick.args ?? []));
}
