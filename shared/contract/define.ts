/**
 * The four kinds of contract member (ARCHITECTURE §2). Each member carries its zod schemas so
 * both ends validate what crosses the boundary and the typed client is inferred, not generated.
 */
import { z } from 'zod';

export interface InvokeMember<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  kind: 'invoke';
  input: I;
  output: O;
}
/** A long operation: answers at once with a task id; progress, logs and the result come as task events. */
export interface TaskMember<I extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  kind: 'task';
  input: I;
  result: R;
}
/** A subscription: items flow (batched) until the client unsubscribes or the server ends it. */
export interface StreamMember<I extends z.ZodType = z.ZodType, T extends z.ZodType = z.ZodType> {
  kind: 'stream';
  input: I;
  item: T;
}
/** A broadcast telling the UI to refetch. */
export interface EventMember<P extends z.ZodType = z.ZodType> {
  kind: 'event';
  payload: P;
}
export type Member = InvokeMember | TaskMember | StreamMember | EventMember;
export type Domain = Record<string, Member>;

export const invoke = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O): InvokeMember<I, O> => ({
  kind: 'invoke',
  input,
  output,
});
export const task = <I extends z.ZodType, R extends z.ZodType>(input: I, result: R): TaskMember<I, R> => ({
  kind: 'task',
  input,
  result,
});
export const stream = <I extends z.ZodType, T extends z.ZodType>(input: I, item: T): StreamMember<I, T> => ({
  kind: 'stream',
  input,
  item,
});
export const event = <P extends z.ZodType>(payload: P): EventMember<P> => ({ kind: 'event', payload });

/** For members that take nothing. */
export const Empty = z.object({}).strict().default({});
