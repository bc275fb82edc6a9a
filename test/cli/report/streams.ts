import { Writable } from 'node:stream';

/** A stream that keeps what is written, optionally posing as a terminal. */
export function captureStream(isTTY = false): Writable & { isTTY?: boolean; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  }) as Writable & { isTTY?: boolean; text(): string };
  if (isTTY) stream.isTTY = true;
  stream.text = () => chunks.join('');
  return stream;
}
