// C's strerror() texts for the errno codes a disk write can fail with, so error replies
// read as Redis's do ("MISCONF Errors writing to the AOF file: No space left on device").

const MESSAGES: Record<string, string> = {
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

export function strerror(err: NodeJS.ErrnoException): string {
  return (err.code && MESSAGES[err.code]) || err.message;
}
