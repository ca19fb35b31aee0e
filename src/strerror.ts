// C's strerror() texts for the errno codes a disk write can fail with, so error replies
// read as Redis's do ("MISCONF Errors writing to the AOF file: No space left on device").

const MESSAGES: Record<string, string> = {
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EEXIST: 'File exists',
  ENOSPC: 'No space left on device',
  EIO: 'Input/output error',
  EDQUOT: 'Disk quota exceeded',
  EROFS: 'Read-only file system',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EBADF: 'Bad file descriptor',
  EFBIG: 'File too large',
  ENOENT: 'No such file or directory',
  EINVAL: 'Invalid argument',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
};

/** C's strerror text for a Node.js system error (its message when the code is unknown). */
export function strerror(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code !== undefined && MESSAGES[code] !== undefined) return MESSAGES[code];
  return err instanceof Error ? err.message : String(err);
}
