// What Qwen Local may do on its own in a workspace the user has not trusted (Restricted Mode), and
// in a virtual workspace (files that are not on a disk: GitHub Repositories' vscode-vfs, …).
// Pure: the VS Code glue (ui/trust.ts) feeds it vscode.workspace.isTrusted and the folders' schemes.
//
// The rule: nothing of an untrusted workspace goes to the model server unless the person asked for
// it. Ghost text sends the open file and snippets of others on every pause, and chat attaches the
// current file by itself: both wait for trust, or for "Allow in This Window". What a person
// explicitly sends (a chat message's chips they switch on, @file, a command on a selection) is
// their say and still goes. Git runs repository-controlled configuration, so it needs real trust
// (an allowance for this window does not cover it).

export interface TrustFacts {
  /** vscode.workspace.isTrusted. */
  trusted: boolean;
  /** The person chose "Allow in This Window" (never stored: a new window asks again). */
  allowedInWindow: boolean;
  /** URI schemes of the workspace folders (empty without a folder). */
  folderSchemes: readonly string[];
}

export interface WorkspaceLimits {
  /** Ghost text may be requested (it sends the open file and context from other files). */
  completions: boolean;
  /** Chat may attach the current file and selection without a click. */
  autoAttach: boolean;
  /** git may run in the workspace (Write Commit Message's diff). */
  git: boolean;
  /** The workspace may be indexed and searched for context (the codebase index). */
  indexing: boolean;
  /** Restricted Mode limits something the person has not allowed. */
  restricted: boolean;
  /** At least one folder is virtual (not `file:`): no git, files only through workspace.fs. */
  virtual: boolean;
}

/** The schemes whose files are on a disk the extension host can reach. */
const DISK_SCHEMES = new Set(['file']);

export function isVirtual(folderSchemes: readonly string[]): boolean {
  return folderSchemes.some((s) => !DISK_SCHEMES.has(s));
}

export function workspaceLimits(f: TrustFacts): WorkspaceLimits {
  const virtual = isVirtual(f.folderSchemes);
  const mayRead = f.trusted || f.allowedInWindow;
  return {
    completions: mayRead,
    autoAttach: mayRead,
    git: f.trusted && !virtual,
    indexing: mayRead && !virtual,
    restricted: !mayRead,
    virtual,
  };
}

/** The status bar tooltip's paragraph about the limits; undefined when nothing is limited. */
export function limitsTooltip(f: TrustFacts): string | undefined {
  const l = workspaceLimits(f);
  const lines: string[] = [];
  if (l.restricted) {
    lines.push(
      'Restricted Mode: this workspace is not trusted, so nothing of it is sent to the model server on its own. ' +
        'Inline completions are off and chat attaches the current file only when you click its chip. ' +
        'Trust the workspace, or choose "Allow in This Window" in the menu.',
    );
  } else if (!f.trusted) {
    lines.push('Restricted Mode: completions and chat allowed in this window; Write Commit Message still needs a trusted workspace.');
  }
  if (l.virtual) lines.push('Virtual workspace: Write Commit Message (git) and the codebase index are off.');
  return lines.length ? lines.join('\n') : undefined;
}

/** The one message at startup in Restricted Mode (once per workspace); undefined when none is due. */
export function restrictedNotice(f: TrustFacts, alreadyShown: boolean): string | undefined {
  if (alreadyShown || !workspaceLimits(f).restricted) return undefined;
  return 'Qwen Local: this workspace is in Restricted Mode, so none of its files go to the model server on their own: inline completions are off and chat does not attach the current file until you trust the workspace or allow it for this window. Commands you run on a selection still work.';
}
