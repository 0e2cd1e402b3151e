// Runs local-aws (in memory) in its own process for the bench, so the server does not share the
// consumers' event loop. Argument: milliseconds of latency added to every SQS answer (default 0).
// Prints one JSON line with the endpoint; stops when stdin closes.
import { startLocalAws } from '@media-server/local-aws';

const aws = await startLocalAws({ sqsLatencyMs: Number(process.argv[2] ?? 0) });
process.stdout.write(`${JSON.stringify({ endpoint: aws.sqsEndpoint, config: aws.clientConfig().sqs })}\n`);
process.stdin.resume();
process.stdin.on('close', () => {
  void aws.stop().then(() => process.exit(0));
});
