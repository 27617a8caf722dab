// The status bar menu's entries: every main command in one list, so features are discoverable,
// and the ways out of the current state (offline, Restricted Mode) first. Pure: menu.ts shows it.

/** The setup walkthrough of package.json, as VS Code names it: publisher.name#id. */
const WALKTHROUGH = 'qwen-local.qwen-local#qwenLocal.setup';

export interface MenuEntry {
  label: string;
  detail?: string;
  /** A heading between groups (a separator in the quick pick). */
  separator?: true;
  command?: string;
  args?: unknown[];
}

export interface MenuFacts {
  completionsEnabled: boolean;
  snoozed: boolean;
  languageId?: string;
  languageDisabled: boolean;
  offline: boolean;
  /** The server is Ollama (pulling models is an Ollama action); default true. */
  canPull?: boolean;
  /** Restricted Mode limits completions and chat attachments (workspace/trust.ts). */
  restricted?: boolean;
}

export function menuEntries(f: MenuFacts): MenuEntry[] {
  const entries: MenuEntry[] = [];
  if (f.restricted) {
    entries.push(
      { label: '$(shield) Trust This Workspace…', detail: 'Restricted Mode: completions are off and chat does not attach the current file.', command: 'workbench.trust.manage' },
      { label: '$(unlock) Allow Completions and Chat Context in This Window', command: 'qwenLocal.allowInUntrustedWorkspace' },
    );
  }
  if (f.offline) {
    entries.push(
      { label: '$(refresh) Retry Connection to the Model Server', command: 'qwenLocal.retryConnection' },
      { label: '$(pulse) Run the Connection Doctor', command: 'qwenLocal.connectionDoctor' },
      { label: '$(book) Open the Setup Guide', command: 'workbench.action.openWalkthrough', args: [WALKTHROUGH, false] },
      { label: '$(server-environment) Set the Server Address', command: 'workbench.action.openSettings', args: ['qwenLocal.server.url'] },
    );
  }
  entries.push(
    { label: 'Completions', separator: true },
    {
      label: f.completionsEnabled ? '$(circle-slash) Turn Completions Off' : '$(check) Turn Completions On',
      command: 'qwenLocal.toggleCompletions',
    },
    {
      label: f.snoozed ? '$(play) Resume Completions' : '$(clock) Snooze Completions for 15 Minutes',
      command: 'qwenLocal.snoozeCompletions',
    },
  );
  if (f.languageId) {
    entries.push({
      label: f.languageDisabled ? `$(check) Turn Completions On for ${f.languageId}` : `$(circle-slash) Turn Completions Off for ${f.languageId}`,
      command: 'qwenLocal.toggleLanguage',
      args: [f.languageId],
    });
  }
  entries.push(
    { label: '$(graph) Show Completion Statistics', command: 'qwenLocal.showStatistics' },
    { label: 'Chat and Actions', separator: true },
    { label: '$(comment-discussion) Open Chat', command: 'qwenLocal.openChat' },
    { label: '$(edit) Edit Selection…', command: 'qwenLocal.editSelection' },
    { label: '$(git-commit) Write Commit Message', command: 'qwenLocal.writeCommitMessage' },
    { label: 'Models', separator: true },
    { label: '$(server) Show Hardware and Models', command: 'qwenLocal.showHardware' },
    { label: '$(symbol-method) Select Completion Model', command: 'qwenLocal.selectCompletionModel' },
    { label: '$(comment) Select Chat Model', command: 'qwenLocal.selectChatModel' },
    ...(f.canPull === false ? [] : [{ label: '$(cloud-download) Pull Model', command: 'qwenLocal.pullModel' }]),
    { label: 'Setup', separator: true },
    { label: '$(key) Set API Key for the Model Server', command: 'qwenLocal.setApiKey' },
    ...(f.offline
      ? []
      : [
          { label: '$(pulse) Connection Doctor', command: 'qwenLocal.connectionDoctor' },
          { label: '$(server-environment) Set the Server Address', command: 'workbench.action.openSettings', args: ['qwenLocal.server.url'] },
          { label: '$(book) Open the Setup Guide', command: 'workbench.action.openWalkthrough', args: [WALKTHROUGH, false] },
        ]),
    { label: '$(gear) Open Settings', command: 'workbench.action.openSettings', args: ['@ext:qwen-local.qwen-local'] },
    { label: '$(output) Show Log', command: 'qwenLocal.showLog' },
  );
  return entries;
}
