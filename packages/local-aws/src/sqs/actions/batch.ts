import { invalid, SqsServerError } from '../errors.ts';
import type { ActionInput, ActionOutput } from '../model.ts';
import type { SqsEngine } from '../sqs-engine.ts';
import { objectList } from '../validate.ts';

const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** Validates a batch's entries as AWS does: 1–10 entries, valid and distinct ids. */
export function batchEntries(input: ActionInput, entryName: string): ActionInput[] {
  const entries = objectList(input, 'Entries');
  if (entries.length === 0) {
    throw invalid('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
  }
  if (entries.length > 10) {
    throw invalid(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = entry.Id;
    if (typeof id !== 'string' || !ENTRY_ID.test(id)) {
      throw invalid(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (seen.has(id)) throw invalid('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
  return entries;
}

/** A `Failed` entry of a batch result. */
export function failedEntry(id: string, error: SqsServerError): ActionOutput {
  return { Id: id, SenderFault: error.fault === 'Sender', Code: error.awsCode, Message: error.message };
}

/**
 * Applies `apply` to every entry in one transaction. An SQS error fails that entry only (a `Failed`
 * result); any other error fails the whole request.
 */
export function applyToEntries(
  engine: SqsEngine,
  entries: ActionInput[],
  apply: (entry: ActionInput) => void,
): ActionOutput {
  const successful: ActionOutput[] = [];
  const failed: ActionOutput[] = [];
  engine.store.transaction(() => {
    for (const entry of entries) {
      const id = String(entry.Id);
      try {
        apply(entry);
        successful.push({ Id: id });
      } catch (error) {
        if (!(error instanceof SqsServerError)) throw error;
        failed.push(failedEntry(id, error));
      }
    }
  });
  return { Successful: successful, Failed: failed };
}
