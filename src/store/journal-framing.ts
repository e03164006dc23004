import { crc32 } from 'node:zlib';

// One record of the journal file: [payload length u32 BE][crc32 of payload u32 BE][payload].
// A record whose length runs past the end of the file or whose checksum does not match is a torn
// write (the process died mid-append): it and everything after it are cut off on open.

export const FRAME_HEADER_BYTES = 8;
/** No single record is this large (a legal event batch is well under 1 MiB of JSON). */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

export function frame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.writeUInt32BE(crc32(payload), 4);
  payload.copy(out, FRAME_HEADER_BYTES);
  return out;
}

export interface FramedRecord {
  /** Offset of the payload (not the header) in the file. */
  payloadAt: number;
  payload: Buffer;
}

/**
 * The whole records of `bytes`, in order, and the length of the sound prefix (where a torn or
 * corrupt tail starts; equals `bytes.length` when there is none).
 */
export function unframe(bytes: Buffer): { records: FramedRecord[]; soundBytes: number } {
  const records: FramedRecord[] = [];
  let at = 0;
  while (at + FRAME_HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt32BE(at);
    const sum = bytes.readUInt32BE(at + 4);
    const end = at + FRAME_HEADER_BYTES + length;
    if (length > MAX_RECORD_BYTES || end > bytes.length) break;
    const payload = bytes.subarray(at + FRAME_HEADER_BYTES, end);
    if (crc32(payload) !== sum) break;
    records.push({ payloadAt: at + FRAME_HEADER_BYTES, payload });
    at = end;
  }
  return { records, soundBytes: at };
}
