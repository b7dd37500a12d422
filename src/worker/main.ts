/**
 * Entry of the reading worker (dist/worker.js): a worker thread of the extension host that does the
 * parsing, mapping, view building and statistics, so the host's event loop never waits on them.
 */
import { parentPort } from 'node:worker_threads';
import { serveReader } from './serveReader';

if (!parentPort) throw new Error('dist/worker.js runs only as a worker thread of the extension host');
serveReader(parentPort);
