import { closeSync, constants as fsConstants, fdatasyncSync, ftruncateSync, promises as fsp, writeSync } from 'node:fs';
import { makeOwnDir, openOwnFile } from '../../core/own-files.js';

/**
 * The file-system operations the outbox needs, and nothing more, so tests can inject ENOSPC or EIO at
 * any one of them. `nodeOutboxFs` is the real thing. The outbox treats any error of a write-side
 * operation as the disk failing (ENOSPC, EIO, EROFS, EDQUOT and also the unexpected ones): after a
 * failed append the log's tail is unknown, so only a full rewrite may touch it again.
 */
export interface OutboxFile {
  /** Writes all of `data` at the end of the file. */
  append(data: Uint8Array): Promise<void>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface OutboxFs {
  /** Creates the directory and its parents; no error if it exists. */
  mkdir(dir: string): Promise<void>;
  /** The file's bytes, or null if there is no such file. */
  readFile(path: string): Promise<Buffer | null>;
  /** Opens (creating) a file for appending. */
  openAppend(path: string): Promise<OutboxFile>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; no error if there is none. */
  unlink(path: string): Promise<void>;
  /** fsyncs a directory, so a rename or a new file in it survives power loss. */
  syncDir(dir: string): Promise<void>;
  /**
   * Writes `data` over the start of the file (creating it if missing) and fdatasyncs it. Rewriting
   * blocks the file already has needs no free space.
   */
  overwrite(path: string, data: Uint8Array): Promise<void>;
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** The real file system; what it creates gets the agent's own modes (0640 files, 0750 dirs). */
export const nodeOutboxFs: OutboxFs = {
  async mkdir(dir) {
    makeOwnDir(dir);
  },
  async readFile(path) {
    try {
      return await fsp.readFile(path);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  },
  // The file's own calls are synchronous on purpose: a durable append is one small write plus one
  // fdatasync, and through the thread pool (two hops) it measured about twice as slow as inline. The
  // event loop waits for one fdatasync per report, which at report rates (a few a minute) is nothing.
  async openAppend(path) {
    const fd = openOwnFile(path, 'a');
    return {
      async append(data) {
        for (let written = 0; written < data.length; ) written += writeSync(fd, data, written);
      },
      async datasync() {
        fdatasyncSync(fd);
      },
      async truncate(length) {
        ftruncateSync(fd, length);
      },
      async close() {
        closeSync(fd);
      },
    };
  },
  // Not O_TRUNC: truncating would free the blocks the rewrite is meant to reuse.
  async overwrite(path, data) {
    const fd = openOwnFile(path, fsConstants.O_WRONLY | fsConstants.O_CREAT);
    try {
      for (let written = 0; written < data.length; ) written += writeSync(fd, data, written, data.length - written, written);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  rename: (from, to) => fsp.rename(from, to),
  async unlink(path) {
    try {
      await fsp.unlink(path);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  },
  async syncDir(dir) {
    const handle = await fsp.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};
