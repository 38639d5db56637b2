/**
 * A typed door to docker-modem's `dial`, for the few calls whose dockerode typings lag behind
 * (query options on /system/df, abort signals on ping/version/info) and for streaming endpoints.
 */
import type Docker from 'dockerode';

export interface DialOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  /** Query parameters; objects (e.g. event filters) are JSON-encoded as the API expects. */
  query?: Record<string, unknown>;
  signal?: AbortSignal;
  /** Resolve with the response stream instead of its parsed body. */
  stream?: boolean;
  statusCodes?: Record<number, true | string>;
}

interface Modem {
  dial(options: Record<string, unknown>, callback: (err: unknown, data: unknown) => void): void;
}

export function dial<T>(docker: Docker, path: string, opts: DialOptions = {}): Promise<T> {
  const modem = (docker as unknown as { modem: Modem }).modem;
  return new Promise<T>((resolve, reject) => {
    modem.dial(
      {
        // docker-modem appends the query string only when the path carries a '?'.
        path: opts.query ? `${path}?` : path,
        method: opts.method ?? 'GET',
        options: opts.query ?? {},
        abortSignal: opts.signal,
        isStream: opts.stream ?? false,
        statusCodes: opts.statusCodes ?? { 200: true, 204: true, 304: true, 404: 'no such object', 500: 'server error' },
      },
      (err, data) => (err ? reject(err) : resolve(data as T)),
    );
  });
}

export interface EngineVersion {
  Version: string;
  ApiVersion: string;
  Os: string;
  Arch: string;
}

export const ping = (docker: Docker, signal?: AbortSignal) => dial<unknown>(docker, '/_ping', { signal });
export const version = (docker: Docker, signal?: AbortSignal) => dial<EngineVersion>(docker, '/version', { signal });
export const info = (docker: Docker, signal?: AbortSignal) =>
  dial<{ OperatingSystem?: string; Name?: string }>(docker, '/info', { signal });
