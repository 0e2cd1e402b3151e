/** PUTs bytes to a presigned URL, the way a plain HTTP client would; answers the ETag S3 gives. */
export async function putBytes(
  fetchImpl: typeof fetch,
  url: string,
  data: Uint8Array,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<string> {
  const response = await fetchImpl(url, {
    method: 'PUT',
    headers,
    body: data,
    ...(signal === undefined ? {} : { signal }),
  });
  if (!response.ok) throw new Error(`PUT answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
  return response.headers.get('etag') ?? '';
}
