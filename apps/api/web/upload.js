// @ts-check
import { AwsS3, Dashboard, Uppy } from '/vendor/uppy.min.mjs';

/**
 * The uploader: Uppy's Dashboard (drag and drop, several files, per-file progress, pause/resume) with
 * its `@uppy/aws-s3` plugin. The plugin asks `signRequest` for a presigned URL and talks to S3 itself;
 * the page answers from the API's Uppy route `GET /s3/params`, which creates the upload's job and signs
 * Content-Type and Content-Length.
 *
 * @param {{
 *   target: HTMLElement,
 *   api: import('./api.js').ApiClient,
 *   onUploaded: (job: { jobId: string, filename: string }) => void,
 * }} options
 */
export function createUploader({ target, api, onUploaded }) {
  /** Signed answers per Uppy file id: a retry or a resume reuses its URL (and job) while it is valid. */
  /** @type {Map<string, { url: string, key: string, jobId: string, expiresAt: number }>} */
  const signed = new Map();

  const uppy = new Uppy({
    id: 'media-upload',
    autoProceed: false,
    restrictions: { allowedFileTypes: ['video/*', 'audio/*', 'image/*'] },
  });

  uppy.use(Dashboard, {
    target,
    inline: true,
    width: '100%',
    height: 340,
    theme: 'light',
    proudlyDisplayPoweredByUppy: false,
    showProgressDetails: true,
    hideProgressAfterFinish: false,
    note: 'Video, audio or images. Each file becomes a job.',
    doneButtonHandler: () => uppy.clear(),
  });

  uppy.use(AwsS3, {
    limit: 3,
    shouldUseMultipart: false,
    // The key Uppy hands to signRequest: the file's id, so the request can be matched to its file.
    generateObjectKey: (/** @type {{ id: string }} */ file) => file.id,
    signRequest: async (/** @type {{ method: string, key: string, uploadId?: string }} */ request) => {
      if (request.method !== 'PUT' || request.uploadId !== undefined) {
        throw new Error(`this page does not sign ${request.method} requests`);
      }
      const file = uppy.getFile(request.key);
      if (file === undefined) throw new Error('the file was removed');
      const known = signed.get(file.id);
      if (known !== undefined && known.expiresAt > Date.now() + 30_000) return known;
      const params = await api.uppyUploadParameters({
        filename: file.name ?? 'upload',
        type: file.type || 'application/octet-stream',
        size: file.size ?? 0,
      });
      const entry = {
        url: params.url,
        key: params.key,
        jobId: params.jobId,
        expiresAt: Date.now() + params.expires * 1000,
      };
      signed.set(file.id, entry);
      uppy.setFileMeta(file.id, { jobId: params.jobId });
      return entry;
    },
  });

  uppy.on('upload-success', (file) => {
    if (file === undefined) return;
    const entry = signed.get(file.id);
    if (entry !== undefined) onUploaded({ jobId: entry.jobId, filename: file.name ?? entry.key });
  });
  uppy.on('file-removed', (file) => signed.delete(file.id));

  return uppy;
}
