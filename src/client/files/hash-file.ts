import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * The SHA-256 (lowercase hex) of a file's first `end` bytes (all of it when omitted), read as
 * a stream: never the whole file in memory. `onBytes` is told of each chunk read.
 */
export async function sha256OfFile(
  path: string,
  end?: number,
  onBytes?: (n: number) => void,
): Promise<string> {
  const hash = createHash('sha256');
  if (end === 0) return hash.digest('hex');
  const stream = createReadStream(path, end === undefined ? {} : { end: end - 1 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    onBytes?.(chunk.length);
  }
  return hash.digest('hex');
}
