// Replacing a small file atomically and durably, as Redis saves its config and nodes.conf:
// write a temp file next to it, fsync it, rename it over the file, fsync the directory. A
// crash leaves the old content or the new, never half of one. Used by CONFIG REWRITE and
// nodes.conf saves; each caller turns the thrown error into its own reply text. Also the
// directory fsync that the WAL and its repair tool use for the files they create.

import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * Replaces `file` with `content` (latin1: one byte per char) through `<file>.tmp-<pid>`.
 * Throws the Node.js system error of the step that failed, after removing the temp file.
 */
export function writeFileAtomically(file: string, content: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const data = Buffer.from(content, 'latin1');
  try {
    const fd = openSync(tmp, 'w', 0o644);
    try {
      let off = 0;
      while (off < data.length) off += writeSync(fd, data, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temp file may not exist
    }
    throw err;
  }
  // The rename is durable once the directory is: Redis's fsyncFileDir.
  try {
    fsyncDirectory(path.dirname(file));
  } catch {
    // Some file systems cannot fsync a directory; the rename is still atomic.
  }
}

/**
 * fsyncs a directory, so the files created, renamed or deleted in it so far survive a power
 * loss (their entries live in the directory, not in the files). Throws the system error.
 */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
