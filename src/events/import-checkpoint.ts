import { createHash } from 'node:crypto';
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { CsvColumns, ImportFormat } from './import-formats.js';

/**
 * Where an import stopped, so a rerun resumes there: the byte offset and line number of the
 * first line whose events may not be stored yet (everything before it is). The file is
 * fingerprinted so a checkpoint is never applied to another file.
 */
export interface ImportCheckpoint {
  version: 1;
  file: string;
  fingerprint: string;
  format: ImportFormat;
  /** CSV: the header's column positions (the header is not re-read on resume). */
  columns?: CsvColumns;
  offset: number;
  lineNo: number;
  /** true once the whole file was imported. */
  complete: boolean;
  updatedAt: string;
}

const FINGERPRINT_BYTES = 64 * 1024;

/** SHA-256 of the first 64 KiB: identifies the file, and tolerates appended lines. */
export async function fingerprintFile(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(FINGERPRINT_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, FINGERPRINT_BYTES, 0);
    return createHash('sha256').update(buffer.subarray(0, bytesRead)).digest('hex');
  } finally {
    await handle.close();
  }
}

export async function readCheckpoint(path: string): Promise<ImportCheckpoint | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const value = JSON.parse(text) as Partial<ImportCheckpoint>;
  if (value.version !== 1 || typeof value.offset !== 'number' || typeof value.lineNo !== 'number' || typeof value.fingerprint !== 'string') {
    throw new Error(`${path} is not an import checkpoint`);
  }
  return value as ImportCheckpoint;
}

/** Written to a temp file and renamed, so a crash mid-write never leaves half a checkpoint. */
export async function writeCheckpoint(path: string, checkpoint: ImportCheckpoint): Promise<void> {
  const temp = `${path}.tmp`;
  await writeFile(temp, JSON.stringify(checkpoint, null, 2) + '\n');
  await rename(temp, path);
}

export async function removeCheckpoint(path: string): Promise<void> {
  await rm(path, { force: true });
}
