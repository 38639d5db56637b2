/**
 * `logs.follow`: the engine's log stream of one container, as {ts, stream, line} items pushed to
 * the sink. Pushing is synchronous and we hold at most one partial line per stream, so nothing
 * piles up here; batching for a slow subscriber is the transport's job. Unsubscribing aborts
 * `sink.signal`, which ends the HTTP request and so closes its SSH channel.
 */
import type { Readable } from 'node:stream';
import { RpcError } from '../../../shared/contract/errors.js';
import type { LogLine } from '../../../shared/contract/logs.js';
import type { StreamSink } from '../../../shared/contract/types.js';
import { dial } from './dial.js';
import { engineMessage, statusCodeOf, toEngineError } from './engine-errors.js';
import type { Engine } from './engine.js';
import { LineSplitter, LogDemuxer, splitTimestamp, type LogStream } from './log-lines.js';

export interface FollowInput {
  containerId: string;
  tail: number;
}

export async function followLogs(engine: Engine, input: FollowInput, sink: StreamSink<LogLine>): Promise<void> {
  const id = encodeURIComponent(input.containerId);
  let tty: boolean;
  try {
    const info = await dial<{ Config?: { Tty?: boolean } }>(engine.docker, `/containers/${id}/json`, { signal: sink.signal });
    tty = info.Config?.Tty === true;
  } catch (e) {
    if (sink.signal.aborted) return;
    if (statusCodeOf(e) === 404) throw new RpcError('DOCKER_ERROR', `There is no container "${input.containerId}" on ${engine.name}.`, engineMessage(e));
    throw toEngineError(e, `Following the logs of ${input.containerId} on ${engine.name}`, engine.localSocket);
  }
  if (sink.signal.aborted) return;

  let source: Readable;
  try {
    source = await dial<Readable>(engine.docker, `/containers/${id}/logs`, {
      query: { follow: true, stdout: true, stderr: true, timestamps: true, tail: input.tail },
      stream: true,
      signal: sink.signal,
    });
  } catch (e) {
    if (sink.signal.aborted) return;
    throw toEngineError(e, `Following the logs of ${input.containerId} on ${engine.name}`, engine.localSocket);
  }

  const splitters: Record<LogStream, LineSplitter> = {
    stdout: new LineSplitter((l) => sink.push({ ...splitTimestamp(l), stream: 'stdout' })),
    stderr: new LineSplitter((l) => sink.push({ ...splitTimestamp(l), stream: 'stderr' })),
  };
  const demux = tty ? undefined : new LogDemuxer((stream, bytes) => splitters[stream].push(bytes));

  await new Promise<void>((resolve, reject) => {
    let finished = false;
    const finish = (err?: unknown) => {
      if (finished) return;
      finished = true;
      sink.signal.removeEventListener('abort', onAbort);
      source.destroy();
      if (sink.signal.aborted) return resolve(); // unsubscribed: push nothing more
      if (err) return reject(toEngineError(err, `The log stream of ${input.containerId} on ${engine.name} broke`));
      splitters.stdout.end();
      splitters.stderr.end();
      resolve();
    };
    const onAbort = () => finish();
    sink.signal.addEventListener('abort', onAbort, { once: true });
    source.on('data', (chunk: Buffer) => {
      if (demux) demux.push(chunk);
      else splitters.stdout.push(chunk);
    });
    source.once('end', () => finish());
    // 'close' without 'end': the channel went away (tunnel dropped, engine restarted).
    source.once('close', () => finish(source.readableEnded ? undefined : new Error('the connection was lost')));
    source.once('error', (e) => finish(e));
  });
}
