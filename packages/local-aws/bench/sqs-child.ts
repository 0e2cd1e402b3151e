// The benchmark runs local-aws in its own process (as ElasticMQ and moto run in theirs):
//   node --conditions=@media-server/source bench/sqs-child.ts <dataDir> [fsync]
import { startSqsServer } from '../src/sqs/index.ts';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: sqs-child.ts <dataDir>');
const server = await startSqsServer({ dataDir, fsync: process.argv[3] === 'fsync' });
process.stdout.write(`${JSON.stringify({ endpoint: server.endpoint })}\n`);
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
