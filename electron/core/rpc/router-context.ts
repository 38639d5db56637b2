/** What every connection of one router shares: the handlers, the task registry, the options. */
import type { TaskRegistry, AnyTaskHandler } from './task-registry.js';
import type { BatchOptions, RpcLogger } from './types.js';

export interface RouterContext {
  appVersion: string;
  logger: RpcLogger;
  batch: BatchOptions;
  checkOutputs: boolean;
  tasks: TaskRegistry;
  invokeHandler(method: string): ((input: unknown) => Promise<unknown>) | undefined;
  taskHandler(method: string): AnyTaskHandler | undefined;
  streamHandler(method: string): ((input: unknown, sink: never) => Promise<void>) | undefined;
}
