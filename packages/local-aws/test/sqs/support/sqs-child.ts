// Runs a durable local-aws SQS server in its own process (for kill -9 tests):
//   node --conditions=@media-server/source sqs-child.ts <dataDir>
// Prints one JSON line `{"endpoint": "..."}` once it listens.
import { startSqsServer } from '../../../src/sqs/index.ts';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: sqs-child.ts <dataDir>');
const server = await startSqsServer({ dataDir });
process.stdout.write(`${JSON.stringify({ endpoint: server.endpoint })}\n`);
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
