// The one mapping of VS Code's diagnostic severities to the words prompts and chips use. Takes the
// enum's numbers (Error 0, Warning 1, Information 2, Hint 3) so it needs no `vscode` import.

export type SeverityName = 'error' | 'warning' | 'info' | 'hint';

const NAMES: readonly SeverityName[] = ['error', 'warning', 'info', 'hint'];

/** The word for a `vscode.DiagnosticSeverity`; anything unknown counts as a hint. */
export function severityName(severity: number): SeverityName {
  return NAMES[severity] ?? 'hint';
}
