/**
 * Creates on moto's server what the CDK stack creates on AWS (bucket, jobs queue with its DLQ after 5
 * receives, the `uploads/` ObjectCreated notification), with plain HTTP requests to moto's S3 REST and SQS
 * query APIs. Moto's server checks no signature, so no SDK or credentials are needed for this setup.
 */
export interface MotoResources {
  bucket: string;
  queueUrl: string;
  dlqUrl: string;
  queueArn: string;
}

/** Moto's default account. */
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

async function ok(response: Response, what: string): Promise<string> {
  const text = await response.text();
  if (!response.ok) throw new Error(`moto: ${what} answered ${response.status}: ${text.slice(0, 500)}`);
  return text;
}

/**
 * Moto's server routes a request to a service by the credential scope of its Authorization header (it does
 * not check the signature): one that names the service is enough.
 */
function scope(service: 's3' | 'sqs'): Record<string, string> {
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
  };
}

async function sqsAction(endpoint: string, params: Record<string, string>): Promise<string> {
  return ok(
    await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...scope('sqs') },
      body: new URLSearchParams({ Version: '2012-11-05', ...params }),
    }),
    params.Action ?? 'SQS',
  );
}

function queueUrlOf(xml: string): string {
  const match = /<QueueUrl>([^<]+)<\/QueueUrl>/.exec(xml);
  if (!match?.[1]) throw new Error(`moto: no QueueUrl in ${xml.slice(0, 300)}`);
  return match[1];
}

export async function createMotoResources(endpoint: string, name: string): Promise<MotoResources> {
  const bucket = `${name}-media`;
  await ok(await fetch(`${endpoint}/${bucket}`, { method: 'PUT', headers: scope('s3') }), 'CreateBucket');
  const dlqUrl = queueUrlOf(
    await sqsAction(endpoint, { Action: 'CreateQueue', QueueName: `${name}-jobs-dlq` }),
  );
  const dlqArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}-jobs-dlq`;
  const queueUrl = queueUrlOf(
    await sqsAction(endpoint, {
      Action: 'CreateQueue',
      QueueName: `${name}-jobs`,
      'Attribute.1.Name': 'VisibilityTimeout',
      'Attribute.1.Value': '30',
      'Attribute.2.Name': 'RedrivePolicy',
      'Attribute.2.Value': JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
    }),
  );
  const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}-jobs`;
  const notification =
    '<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><QueueConfiguration>' +
    `<Id>uploads-to-jobs</Id><Queue>${queueArn}</Queue><Event>s3:ObjectCreated:*</Event>` +
    '<Filter><S3Key><FilterRule><Name>prefix</Name><Value>uploads/</Value></FilterRule></S3Key></Filter>' +
    '</QueueConfiguration></NotificationConfiguration>';
  await ok(
    await fetch(`${endpoint}/${bucket}?notification`, {
      method: 'PUT',
      headers: scope('s3'),
      body: notification,
    }),
    'PutBucketNotificationConfiguration',
  );
  return { bucket, queueUrl, dlqUrl, queueArn };
}

/** Bodies of the messages visible in a queue right now (received with visibility 0, so they stay). */
export async function peekMessages(endpoint: string, queueUrl: string): Promise<string[]> {
  const xml = await sqsAction(endpoint, {
    Action: 'ReceiveMessage',
    QueueUrl: queueUrl,
    MaxNumberOfMessages: '10',
    VisibilityTimeout: '0',
  });
  return [...xml.matchAll(/<Body>([^<]*)<\/Body>/g)].map((match) =>
    (match[1] ?? '')
      .replaceAll('&quot;', '"')
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&amp;', '&'),
  );
}
