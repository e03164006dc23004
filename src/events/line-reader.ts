import { createReadStream } from 'node:fs';

/** One line of a file, with where it starts and ends (bytes), for checkpoints. */
export interface FileLine {
  text: string;
  /** 1-based line number in the whole file. */
  lineNo: number;
  /** Byte offset of the line's first byte. */
  start: number;
  /** Byte offset just past its newline (where the next line starts). */
  end: number;
}

/**
 * Reads a file line by line from a byte offset, tracking byte offsets exactly (UTF-8 safe: lines
 * are split on the newline byte before decoding). `\r\n` endings are accepted. A last line
 * without a newline is yielded too.
 */
export async function* readLines(file: string, from: { offset: number; lineNo: number } = { offset: 0, lineNo: 0 }): AsyncGenerator<FileLine> {
  let offset = from.offset;
  let lineNo = from.lineNo;
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { start: from.offset, highWaterMark: 256 * 1024 })) {
    const buffer = rest.length > 0 ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    let at = 0;
    for (let nl = buffer.indexOf(10, at); nl !== -1; nl = buffer.indexOf(10, at)) {
      const lineEnd = nl > at && buffer[nl - 1] === 13 ? nl - 1 : nl;
      lineNo += 1;
      yield { text: buffer.toString('utf8', at, lineEnd), lineNo, start: offset, end: offset + (nl + 1 - at) };
      offset += nl + 1 - at;
      at = nl + 1;
    }
    // Copy the tail so the whole chunk is not kept alive by it.
    rest = Buffer.from(buffer.subarray(at));
  }
  if (rest.length > 0) {
    const lineEnd = rest[rest.length - 1] === 13 ? rest.length - 1 : rest.length;
    yield { text: rest.toString('utf8', 0, lineEnd), lineNo: lineNo + 1, start: offset, end: offset + rest.length };
  }
}
