// The listing goes out with synchronous writes to descriptor 1, not through process.stdout: its first use builds
// a stream, and for a terminal or a pipe that loads Node's tty and net modules (~2 ms of a short command).
import { writeSync } from 'node:fs';

/** Writes `pieces` in order to stdout as they come (a 100 k-row listing is never one string). */
export function writeStdout(pieces: Iterable<string>): void {
  let viaStream = false;
  for (const text of pieces) {
    if (viaStream) {
      process.stdout.write(text);
      continue;
    }
    const bytes = Buffer.from(text, 'utf8');
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(1, bytes, done);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // The reader went away (`| head`): nothing more to say, as for any Unix filter.
      if (code === 'EPIPE') return;
      // A full non-blocking pipe (inherited from a Node parent): the stream waits for the reader instead,
      // and keeps the order for every piece after this one.
      if (code !== 'EAGAIN') throw err;
      process.stdout.write(bytes.subarray(done));
      viaStream = true;
    }
  }
}
