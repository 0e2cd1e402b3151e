/**
 * OpenAPI links (which answer's values feed which operation's parameters), added to the document that
 * @fastify/swagger builds from the route schemas (it has no place for them there). Clients and test
 * generators such as schemathesis follow them from a created upload to its parts, completion and job.
 */
const JOB_ID = { id: '$response.body#/id' };
const UPPY_UPLOAD = { uploadId: '$response.body#/uploadId', key: '$response.body#/key' };

const LINKS: Record<
  string,
  { status: string; links: Record<string, { operationId: string; parameters: Record<string, string> }> }
> = {
  createUpload: {
    status: '201',
    links: {
      GetJob: { operationId: 'getJob', parameters: JOB_ID },
      GetJobEvents: { operationId: 'getJobEvents', parameters: JOB_ID },
      GetUploadParts: { operationId: 'getUploadParts', parameters: JOB_ID },
      CompleteUpload: { operationId: 'completeUpload', parameters: JOB_ID },
      AbortUpload: { operationId: 'abortUpload', parameters: JOB_ID },
      DeleteJob: { operationId: 'deleteJob', parameters: JOB_ID },
    },
  },
  createJob: {
    status: '202',
    links: {
      GetJob: { operationId: 'getJob', parameters: JOB_ID },
      DeleteJob: { operationId: 'deleteJob', parameters: JOB_ID },
    },
  },
  uppyCreateMultipartUpload: {
    status: '200',
    links: {
      ListParts: { operationId: 'uppyListParts', parameters: UPPY_UPLOAD },
      SignPart: { operationId: 'uppySignPart', parameters: UPPY_UPLOAD },
      SignParts: { operationId: 'uppySignParts', parameters: UPPY_UPLOAD },
      Complete: { operationId: 'uppyCompleteMultipartUpload', parameters: UPPY_UPLOAD },
      Abort: { operationId: 'uppyAbortMultipartUpload', parameters: UPPY_UPLOAD },
    },
  },
};

interface Operation {
  operationId?: string;
  responses?: Record<string, { links?: unknown }>;
}

/** The document with the links set on the answers they start from. */
export function addOpenApiLinks<T extends { paths?: Record<string, Record<string, unknown>> }>(
  document: T,
): T {
  for (const methods of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(methods) as Operation[]) {
      const entry = operation.operationId === undefined ? undefined : LINKS[operation.operationId];
      const response = entry === undefined ? undefined : operation.responses?.[entry.status];
      if (entry !== undefined && response !== undefined) response.links = entry.links;
    }
  }
  return document;
}
