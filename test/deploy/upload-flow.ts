import { readFile } from 'node:fs/promises';

export interface JobOutput {
  preset: string;
  kind: string;
  key: string;
  size: number;
  url: string;
}

export interface FinishedJob {
  id: string;
  state: string;
  outputs: JobOutput[];
  error?: unknown;
}

/**
 * What a client does: `POST /v1/uploads`, PUT the file to the presigned URL, then follow
 * `GET /v1/jobs/:id` until the job is finished. Nothing here talks to S3 or SQS except through the
 * URLs the API hands out.
 */
export async function uploadAndWait(
  apiUrl: string,
  apiKey: string,
  file: string,
  options: { presets: string[]; timeoutMs?: number },
): Promise<FinishedJob> {
  const body = await readFile(file);
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const created = await fetch(`${apiUrl}/v1/uploads`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      filename: 'clip.mp4',
      contentType: 'video/mp4',
      size: body.length,
      presets: options.presets,
    }),
  });
  if (created.status !== 201)
    throw new Error(`POST /v1/uploads answered ${created.status}: ${await created.text()}`);
  const upload = (await created.json()) as {
    id: string;
    method: string;
    url: string;
    headers: Record<string, string>;
  };
  if (upload.method !== 'put') throw new Error(`expected a single PUT upload, got ${upload.method}`);
  const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body });
  if (!put.ok) throw new Error(`PUT to the presigned URL answered ${put.status}: ${await put.text()}`);

  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  for (;;) {
    const response = await fetch(`${apiUrl}/v1/jobs/${upload.id}`, { headers });
    const job = (await response.json()) as FinishedJob;
    if (job.state === 'succeeded' || job.state === 'failed') return job;
    if (Date.now() > deadline) throw new Error(`job ${upload.id} still ${job.state} at the deadline`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
