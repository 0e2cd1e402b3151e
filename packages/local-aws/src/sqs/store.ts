import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { MessageAttributeValue, MessageRecord, QueueRecord } from './model.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS queues (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  fifo INTEGER NOT NULL,
  attributes TEXT NOT NULL,
  tags TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  modified_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  queue INTEGER NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  attributes TEXT,
  system_attributes TEXT,
  md5_body TEXT NOT NULL,
  md5_attributes TEXT,
  md5_system_attributes TEXT,
  sent_at INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  first_receive_at INTEGER,
  last_receive_at INTEGER,
  receipt TEXT,
  group_id TEXT,
  dedup_id TEXT,
  dlq_source TEXT
);
CREATE INDEX IF NOT EXISTS messages_by_visibility ON messages(queue, visible_at, seq);
CREATE INDEX IF NOT EXISTS fifo_messages_in_order ON messages(queue, seq) WHERE group_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS dedup (
  queue INTEGER NOT NULL,
  dedup_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (queue, dedup_id)
) WITHOUT ROWID;
`;

const MESSAGE_COLUMNS =
  'seq, queue, id, body, attributes, system_attributes, md5_body, md5_attributes, md5_system_attributes, sent_at, visible_at, receive_count, first_receive_at, last_receive_at, receipt, group_id, dedup_id, dlq_source';

type Row = Record<string, SQLInputValue>;

function optionalString(value: SQLInputValue | undefined): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

function optionalNumber(value: SQLInputValue | undefined): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

function parseAttributes(
  value: SQLInputValue | undefined,
): Record<string, MessageAttributeValue> | undefined {
  return value === null || value === undefined
    ? undefined
    : (JSON.parse(String(value)) as Record<string, MessageAttributeValue>);
}

function toMessage(row: Row): MessageRecord {
  return {
    seq: Number(row.seq),
    queueId: Number(row.queue),
    id: String(row.id),
    body: String(row.body),
    messageAttributes: parseAttributes(row.attributes),
    systemAttributes: parseAttributes(row.system_attributes),
    md5Body: String(row.md5_body),
    md5Attributes: optionalString(row.md5_attributes),
    md5SystemAttributes: optionalString(row.md5_system_attributes),
    sentAt: Number(row.sent_at),
    visibleAt: Number(row.visible_at),
    receiveCount: Number(row.receive_count),
    firstReceiveAt: optionalNumber(row.first_receive_at),
    lastReceiveAt: optionalNumber(row.last_receive_at),
    receipt: optionalString(row.receipt),
    groupId: optionalString(row.group_id),
    dedupId: optionalString(row.dedup_id),
    sequenceNumber: undefined,
    deadLetterSourceArn: optionalString(row.dlq_source),
  };
}

function toQueue(row: Row): QueueRecord {
  return {
    id: Number(row.id),
    name: String(row.name),
    fifo: Number(row.fifo) === 1,
    attributes: JSON.parse(String(row.attributes)) as Record<string, string>,
    tags: JSON.parse(String(row.tags)) as Record<string, string>,
    createdAt: Number(row.created_at),
    modifiedAt: Number(row.modified_at),
  };
}

/** A message to insert (the store assigns `seq`). */
export type NewMessage = Omit<MessageRecord, 'seq' | 'sequenceNumber'>;

/**
 * SQLite storage for queues and messages. With a file it runs in WAL mode with `synchronous=FULL`, so every
 * committed transaction is on disk before the call returns; without one it uses `:memory:` (same code path).
 * Receives read the `(queue, visible_at, seq)` index, so their cost does not grow with queue length.
 */
export class SqsStore {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #depth = 0;
  #open = false;
  /** Queue rows by name (queues are read on every request). */
  readonly #queues = new Map<string, QueueRecord>();
  readonly #pending: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];

  /**
   * @param dataDir directory of `sqs.sqlite`; undefined for an in-memory database.
   * @param fsync `true`: `synchronous=FULL`, every commit is fsynced (survives power loss). `false`:
   *   `synchronous=NORMAL` in WAL mode, every commit is written to the OS before it is acknowledged, so it
   *   survives the process being killed (kill -9, crash), and the WAL is fsynced at checkpoints.
   */
  constructor(dataDir: string | undefined, fsync = false) {
    if (dataDir === undefined) {
      this.#db = new DatabaseSync(':memory:');
    } else {
      mkdirSync(dataDir, { recursive: true });
      this.#db = new DatabaseSync(join(dataDir, 'sqs.sqlite'));
      this.#db.exec(
        `PRAGMA journal_mode = WAL; PRAGMA synchronous = ${fsync ? 'FULL' : 'NORMAL'}; PRAGMA busy_timeout = 5000;`,
      );
    }
    // A 64 MiB page cache keeps the index and both ends of a long queue in memory.
    this.#db.exec('PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;');
    this.#db.exec(SCHEMA);
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Runs `fn` as one atomic unit (a savepoint: rolled back alone if it throws). Units are group-committed:
   * the first unit opens a transaction that commits once the current event-loop turn's I/O is handled, so
   * concurrent requests share one fsync. Callers that acknowledge anything await {@link committed} first.
   */
  transaction<T>(fn: () => T): T {
    if (this.#depth > 0) return fn();
    if (!this.#open) {
      this.#db.exec('BEGIN IMMEDIATE');
      this.#open = true;
      setImmediate(() => this.#commit());
    }
    this.#db.exec('SAVEPOINT unit');
    this.#depth++;
    try {
      const result = fn();
      this.#db.exec('RELEASE unit');
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK TO unit');
      this.#db.exec('RELEASE unit');
      this.#queues.clear();
      throw error;
    } finally {
      this.#depth--;
    }
  }

  /** Resolves once every unit run so far is committed (on disk with a dataDir); rejects if the commit failed. */
  committed(): Promise<void> {
    if (!this.#open) return Promise.resolve();
    return new Promise((resolve, reject) => this.#pending.push({ resolve, reject }));
  }

  #commit(): void {
    if (!this.#open) return;
    const pending = this.#pending.splice(0);
    this.#open = false;
    try {
      this.#db.exec('COMMIT');
    } catch (error) {
      try {
        this.#db.exec('ROLLBACK');
      } catch {
        // The transaction is already gone.
      }
      this.#queues.clear();
      for (const waiter of pending) waiter.reject(error);
      return;
    }
    for (const waiter of pending) waiter.resolve();
  }

  close(): void {
    this.#commit();
    this.#statements.clear();
    this.#db.close();
  }

  // Queues

  queueByName(name: string): QueueRecord | undefined {
    const cached = this.#queues.get(name);
    if (cached !== undefined) return cached;
    const row = this.#statement('SELECT * FROM queues WHERE name = ?').get(name);
    if (row === undefined) return undefined;
    const queue = toQueue(row as Row);
    this.#queues.set(name, queue);
    return queue;
  }

  queueById(id: number): QueueRecord | undefined {
    const row = this.#statement('SELECT * FROM queues WHERE id = ?').get(id);
    return row === undefined ? undefined : toQueue(row as Row);
  }

  listQueues(): QueueRecord[] {
    return this.#statement('SELECT * FROM queues ORDER BY name')
      .all()
      .map((row) => toQueue(row as Row));
  }

  insertQueue(queue: Omit<QueueRecord, 'id'>): QueueRecord {
    const result = this.#statement(
      'INSERT INTO queues (name, fifo, attributes, tags, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(
      queue.name,
      queue.fifo ? 1 : 0,
      JSON.stringify(queue.attributes),
      JSON.stringify(queue.tags),
      queue.createdAt,
      queue.modifiedAt,
    );
    const record = { ...queue, id: Number(result.lastInsertRowid) };
    this.#queues.set(record.name, record);
    return record;
  }

  updateQueueAttributes(id: number, attributes: Record<string, string>, modifiedAt: number): void {
    this.#queues.clear();
    this.#statement('UPDATE queues SET attributes = ?, modified_at = ? WHERE id = ?').run(
      JSON.stringify(attributes),
      modifiedAt,
      id,
    );
  }

  updateQueueTags(id: number, tags: Record<string, string>): void {
    this.#queues.clear();
    this.#statement('UPDATE queues SET tags = ? WHERE id = ?').run(JSON.stringify(tags), id);
  }

  deleteQueue(id: number): void {
    this.#queues.clear();
    this.transaction(() => {
      this.#statement('DELETE FROM messages WHERE queue = ?').run(id);
      this.#statement('DELETE FROM dedup WHERE queue = ?').run(id);
      this.#statement('DELETE FROM queues WHERE id = ?').run(id);
    });
  }

  purgeQueue(id: number): void {
    this.#statement('DELETE FROM messages WHERE queue = ?').run(id);
  }

  // Messages

  insertMessage(message: NewMessage): number {
    const result = this.#statement(
      `INSERT INTO messages (queue, id, body, attributes, system_attributes, md5_body, md5_attributes, md5_system_attributes, sent_at, visible_at, receive_count, first_receive_at, last_receive_at, receipt, group_id, dedup_id, dlq_source)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      message.queueId,
      message.id,
      message.body,
      message.messageAttributes === undefined ? null : JSON.stringify(message.messageAttributes),
      message.systemAttributes === undefined ? null : JSON.stringify(message.systemAttributes),
      message.md5Body,
      message.md5Attributes ?? null,
      message.md5SystemAttributes ?? null,
      message.sentAt,
      message.visibleAt,
      message.receiveCount,
      message.firstReceiveAt ?? null,
      message.lastReceiveAt ?? null,
      message.receipt ?? null,
      message.groupId ?? null,
      message.dedupId ?? null,
      message.deadLetterSourceArn ?? null,
    );
    return Number(result.lastInsertRowid);
  }

  /** Visible messages of a standard queue, oldest-visible first (an index range scan). */
  visibleMessages(
    queueId: number,
    now: number,
    limit: number,
    afterVisibleAt: number,
    afterSeq: number,
  ): MessageRecord[] {
    return this.#statement(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE queue = ? AND visible_at <= ? AND (visible_at, seq) > (?, ?) ORDER BY visible_at, seq LIMIT ?`,
    )
      .all(queueId, now, afterVisibleAt, afterSeq, limit)
      .map((row) => toMessage(row as Row));
  }

  /** Visible messages of a FIFO queue in send order, skipping groups that have a message in flight or delayed. */
  visibleFifoMessages(queueId: number, now: number, limit: number, afterSeq: number): MessageRecord[] {
    return this.#statement(
      `SELECT ${MESSAGE_COLUMNS} FROM messages INDEXED BY fifo_messages_in_order
       WHERE queue = ? AND group_id IS NOT NULL AND seq > ? AND visible_at <= ?
         AND group_id NOT IN (SELECT group_id FROM messages WHERE queue = ? AND visible_at > ?)
       ORDER BY seq LIMIT ?`,
    )
      .all(queueId, afterSeq, now, queueId, now, limit)
      .map((row) => toMessage(row as Row));
  }

  messageBySeq(seq: number): MessageRecord | undefined {
    const row = this.#statement(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq = ?`).get(seq);
    return row === undefined ? undefined : toMessage(row as Row);
  }

  markReceived(seq: number, visibleAt: number, receipt: string, now: number): void {
    this.#statement(
      'UPDATE messages SET receive_count = receive_count + 1, first_receive_at = COALESCE(first_receive_at, ?), last_receive_at = ?, visible_at = ?, receipt = ? WHERE seq = ?',
    ).run(now, now, visibleAt, receipt, seq);
  }

  /** Moves a message to another queue (dead-letter or redrive), visible at `visibleAt`, without a receipt. */
  moveMessage(
    seq: number,
    queueId: number,
    visibleAt: number,
    deadLetterSourceArn: string | undefined,
  ): void {
    this.#statement(
      'UPDATE messages SET queue = ?, visible_at = ?, receipt = NULL, dlq_source = ? WHERE seq = ?',
    ).run(queueId, visibleAt, deadLetterSourceArn ?? null, seq);
  }

  /** Moves a message back from a dead-letter queue as a fresh message (receive count reset). */
  redriveMessage(seq: number, queueId: number, now: number): void {
    this.#statement(
      'UPDATE messages SET queue = ?, visible_at = ?, receipt = NULL, dlq_source = NULL, receive_count = 0, first_receive_at = NULL, last_receive_at = NULL WHERE seq = ?',
    ).run(queueId, now, seq);
  }

  setVisibleAt(seq: number, visibleAt: number): void {
    this.#statement('UPDATE messages SET visible_at = ? WHERE seq = ?').run(visibleAt, seq);
  }

  /** Deletes a message only if `receipt` is its latest receipt token; returns whether it did. */
  deleteReceived(queueId: number, seq: number, receipt: string): boolean {
    return (
      Number(
        this.#statement('DELETE FROM messages WHERE seq = ? AND queue = ? AND receipt = ?').run(
          seq,
          queueId,
          receipt,
        ).changes,
      ) > 0
    );
  }

  deleteMessage(seq: number): void {
    this.#statement('DELETE FROM messages WHERE seq = ?').run(seq);
  }

  /** Oldest messages of a queue (for move tasks), in send order after `afterSeq`. */
  messagesAfter(queueId: number, afterSeq: number, limit: number): MessageRecord[] {
    return this.#statement(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE queue = ? AND seq > ? ORDER BY seq LIMIT ?`,
    )
      .all(queueId, afterSeq, limit)
      .map((row) => toMessage(row as Row));
  }

  maxSeq(queueId: number): number {
    const row = this.#statement('SELECT MAX(seq) AS m FROM messages WHERE queue = ?').get(queueId) as Row;
    return row.m === null ? 0 : Number(row.m);
  }

  /** Earliest future `visible_at` in the queue, to time a long poll's next look. */
  nextVisibleAt(queueId: number, now: number): number | undefined {
    const row = this.#statement(
      'SELECT MIN(visible_at) AS t FROM messages WHERE queue = ? AND visible_at > ?',
    ).get(queueId, now) as Row;
    return optionalNumber(row.t);
  }

  counts(queueId: number, now: number): { visible: number; notVisible: number; delayed: number } {
    const row = this.#statement(
      `SELECT
         SUM(CASE WHEN visible_at <= ?1 THEN 1 ELSE 0 END) AS visible,
         SUM(CASE WHEN visible_at > ?1 AND receive_count > 0 THEN 1 ELSE 0 END) AS not_visible,
         SUM(CASE WHEN visible_at > ?1 AND receive_count = 0 THEN 1 ELSE 0 END) AS delayed
       FROM messages WHERE queue = ?2`,
    ).get(now, queueId) as Row;
    return {
      visible: Number(row.visible ?? 0),
      notVisible: Number(row.not_visible ?? 0),
      delayed: Number(row.delayed ?? 0),
    };
  }

  deleteSentBefore(queueId: number, cutoff: number): number {
    return Number(
      this.#statement('DELETE FROM messages WHERE queue = ? AND sent_at < ?').run(queueId, cutoff).changes,
    );
  }

  // Deduplication (FIFO)

  dedupEntry(queueId: number, dedupId: string, now: number): { messageId: string; seq: number } | undefined {
    const row = this.#statement(
      'SELECT message_id, seq FROM dedup WHERE queue = ? AND dedup_id = ? AND expires_at > ?',
    ).get(queueId, dedupId, now) as Row | undefined;
    return row === undefined ? undefined : { messageId: String(row.message_id), seq: Number(row.seq) };
  }

  putDedupEntry(queueId: number, dedupId: string, messageId: string, seq: number, expiresAt: number): void {
    this.#statement(
      'INSERT OR REPLACE INTO dedup (queue, dedup_id, message_id, seq, expires_at) VALUES (?, ?, ?, ?, ?)',
    ).run(queueId, dedupId, messageId, seq, expiresAt);
  }

  sweepDedup(now: number): void {
    this.#statement('DELETE FROM dedup WHERE expires_at <= ?').run(now);
  }
}
