// The one set of folders that file searches skip (chat's @file menu, Generate Tests' look for
// existing tests): dependencies, build output, version control and tool caches, plus whatever the
// user's `files.exclude` hides. Pure: the adapter passes the `files.exclude` value.

/** Folders no search should walk into, wherever they are. */
export const SKIPPED_FOLDERS: readonly string[] = ['node_modules', '.git', 'dist', 'build', 'out', 'target', '.venv', 'venv', 'vendor', '__pycache__', '.vscode-test'];

/**
 * One glob for `workspace.findFiles`' exclude argument. Giving an exclude replaces VS Code's own
 * use of `files.exclude`, so its switched-on entries are added here (those with braces or commas
 * cannot nest in the one brace group and are left out).
 */
export function searchExcludeGlob(filesExclude: Record<string, unknown> = {}): string {
  const globs = Object.entries(filesExclude)
    .filter(([glob, on]) => on === true && !/[{},]/.test(glob))
    // "**/.git" names the folder; its files need "/**".
    .flatMap(([glob]) => [glob, `${glob}/**`]);
  // Flat: VS Code's globs do not nest brace groups.
  for (const folder of SKIPPED_FOLDERS) globs.push(`**/${folder}/**`);
  return `{${globs.join(',')}}`;
}
