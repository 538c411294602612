import { closeSync, fstatSync, fsyncSync, ftruncateSync, writeSync } from 'node:fs';
import { makeOwnDir, openOwnFile } from '../core/own-files.js';
import { rotateLogFiles } from '../log-line/log-files.js';

/**
 * The file-system operations the diagnostic log's writer needs, and nothing more, so tests can make any
 * one of them fail (ENOSPC, EROFS, EIO, …) as the outbox's seam does. All synchronous: a log call
 * returns with its line written (see rotating-file.ts). `nodeLogFs` is the real thing.
 */
export interface LogFs {
  /** Creates the directory and its parents (mode 0750); no error if it exists. */
  mkdir(dir: string): void;
  /** Opens (creating, mode 0640) a file for appending; returns its descriptor. */
  openAppend(path: string): number;
  /** Writes `data` from `offset` on at the end of the file; returns how many bytes it wrote (maybe fewer). */
  write(fd: number, data: Buffer, offset: number): number;
  /** The open file's size. */
  size(fd: number): number;
  truncate(fd: number, length: number): void;
  fsync(fd: number): void;
  close(fd: number): void;
  /** Shifts `posdiag.log` → `.1` → … → `.<keep>` (see log-files.ts). */
  rotate(dir: string, keep: number): void;
}

export const nodeLogFs: LogFs = {
  mkdir: makeOwnDir,
  openAppend: (path) => openOwnFile(path, 'a'),
  write: (fd, data, offset) => writeSync(fd, data, offset),
  size: (fd) => fstatSync(fd).size,
  truncate: (fd, length) => ftruncateSync(fd, length),
  fsync: (fd) => fsyncSync(fd),
  close: (fd) => closeSync(fd),
  rotate: rotateLogFiles,
};
