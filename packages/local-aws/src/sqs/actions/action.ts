import type { ActionInput, ActionOutput } from '../model.ts';
import type { SqsEngine } from '../sqs-engine.ts';

/** Per-request context of an action. */
export interface ActionContext {
  engine: SqsEngine;
  /** Aborted when the client goes away (ends a long poll without taking messages). */
  signal: AbortSignal;
  /** Registers what to undo when the reply cannot be delivered (the client went away first). */
  onUndelivered(undo: () => void): void;
}

/** An SQS action: JSON-protocol-shaped input to JSON-protocol-shaped output. */
export type Action = (input: ActionInput, context: ActionContext) => ActionOutput | Promise<ActionOutput>;
