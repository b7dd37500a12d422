import type { MessagePort } from 'node:worker_threads';
import type { ReaderRequest, ReaderResponses, SourceRequest, SourceResponses, WorkerToHost } from '../protocol/readerMessages';
import { sourceTimeoutMs } from '../protocol/readerMessages';
import { RequestClient, RequestServer } from '../protocol/rpc';
import { OpenDocuments } from './openDocuments';
import { readerHandlers } from './readerHandlers';
import { SourceOpener } from './sourceOpener';

/**
 * Wires the worker's side of the port: a server for the host's requests and a client for the byte
 * ranges only the host can read. Incoming requests and cancels go to the server, progress and
 * answers to the client.
 */
export function serveReader(port: MessagePort): void {
  const post = (message: WorkerToHost, transfer?: readonly ArrayBuffer[]): void => port.postMessage(message, transfer ? [...transfer] : undefined);
  const hostReads = new RequestClient<SourceRequest, SourceResponses>(post, sourceTimeoutMs);
  const opener = new SourceOpener(hostReads);
  const server = new RequestServer<ReaderRequest, ReaderResponses>(post, readerHandlers(new OpenDocuments(), opener));
  port.on('message', (message: { readonly type: string }) => {
    if (!server.handle(message)) hostReads.handle(message);
  });
}
