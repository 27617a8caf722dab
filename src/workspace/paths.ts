// The one way a file's path is shown, to the model (prompts, chips) and to the user: relative to its
// workspace folder when it has one, otherwise in full, always with forward slashes so a prompt
// reads the same on Windows. Pure: the adapters pass what `workspace.asRelativePath` returned.

/** A file as the adapters describe it. */
export interface PathParts {
  fsPath: string;
  /** Relative to its workspace folder; undefined outside the workspace. */
  relativePath?: string;
}

/** The path to show: the relative one when known, with forward slashes. */
export function displayPath(file: PathParts | string): string {
  const shown = typeof file === 'string' ? file : (file.relativePath ?? file.fsPath);
  return shown.replace(/\\/g, '/');
}

/** The last segment of a path, with either separator. */
export function baseName(path: string): string {
  const parts = path.replace(/\\/g, '/').split('/');
  return parts[parts.length - 1] || path;
}
