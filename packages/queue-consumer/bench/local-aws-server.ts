// Runs local-aws (in memory) in its own process for the bench, so the server does not share the
// consumers' event loop. Prints one JSON line with the endpoint; stops when stdin closes.
import { startLocalAws } from '@media-server/local-aws';

const aws = await startLocalAws({});
process.stdout.write(`${JSON.stringify({ endpoint: aws.sqsEndpoint, config: aws.clientConfig().sqs })}\n`);
process.stdin.resume();
process.stdin.on('close', () => {
  void aws.stop().then(() => process.exit(0));
});
