/**
 * A mistake the operator must fix (a setting, a file, a permission), as opposed
 * to a fault in the code: the server and the CLI print its message alone, one
 * line per mistake, without a stack trace, and exit non-zero.
 */
export class OperatorError extends Error {
  override name = 'OperatorError'
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a directory',
  ENOENT: 'no such file or directory',
  ENOSPC: 'no space left on the device',
  EISDIR: 'it is a directory',
  EEXIST: 'a part of the path is a file, not a directory'
}

/** What went wrong with a file system call, in words: the errno's meaning without the call and path Node adds. */
export function reasonOf (error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException
  return (code !== undefined ? REASONS[code] : undefined) ?? message
}
