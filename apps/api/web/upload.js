// @ts-check
import { AwsS3, Dashboard, Uppy } from '/vendor/uppy.min.mjs';

/**
 * The uploader: Uppy's Dashboard (drag and drop, several files, per-file progress, pause/resume) with
 * its `@uppy/aws-s3` plugin, which talks to S3 itself with URLs its `signRequest` gives: the page asks
 * the API's `POST /s3/sign` for each one. Each file becomes a job; files of at least
 * `multipartThresholdBytes` go up in parts, so a paused upload resumes where it stopped.
 *
 * @param {{
 *   target: HTMLElement,
 *   api: import('./api.js').PageApi,
 *   multipartThresholdBytes: number,
 *   onUploaded: (job: { jobId: string, filename: string }) => void,
 * }} options
 */
export function createUploader({ target, api, multipartThresholdBytes, onUploaded }) {
  /** The job of each Uppy file id, and the signed single PUT a retry or resume reuses while it is valid. */
  /** @type {Map<string, { jobId: string, put?: { url: string, key: string, expiresAt: number } }>} */
  const uploads = new Map();
  /** Uppy file id of each S3 key the API answered. */
  /** @type {Map<string, string>} */
  const fileOfKey = new Map();

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
    shouldUseMultipart: (/** @type {{ size: number | null }} */ file) =>
      (file.size ?? 0) >= multipartThresholdBytes,
    // The key Uppy passes to signRequest for a new upload: the file's id, to find the file again.
    generateObjectKey: (/** @type {{ id: string }} */ file) => file.id,
    signRequest: async (
      /** @type {{ method: string, key: string, uploadId?: string, partNumber?: number }} */ request,
    ) => {
      const fileId = fileOfKey.get(request.key) ?? request.key;
      const file = uppy.getFile(fileId);
      if (file === undefined) throw new Error('the file was removed');
      const known = uploads.get(file.id);
      const isNewPut = request.method === 'PUT' && request.uploadId === undefined;
      if (isNewPut && known?.put !== undefined && known.put.expiresAt > Date.now() + 30_000) return known.put;
      const signed = await api.uppySignRequest({
        method: request.method,
        key: request.key,
        ...(request.uploadId === undefined ? {} : { uploadId: request.uploadId }),
        ...(request.partNumber === undefined ? {} : { partNumber: request.partNumber }),
        ...(request.uploadId === undefined
          ? {
              filename: file.name ?? 'upload',
              type: file.type || 'application/octet-stream',
              size: file.size ?? 0,
            }
          : {}),
      });
      fileOfKey.set(signed.key, file.id);
      const entry = uploads.get(file.id) ?? { jobId: signed.jobId };
      // A presigned upload URL lives at least a minute (the API's shortest UPLOAD_URL_TTL_SECONDS).
      if (isNewPut) entry.put = { url: signed.url, key: signed.key, expiresAt: Date.now() + 60_000 };
      uploads.set(file.id, entry);
      return { url: signed.url, key: signed.key };
    },
  });

  uppy.on('upload-success', (file) => {
    const entry = file === undefined ? undefined : uploads.get(file.id);
    if (file !== undefined && entry !== undefined)
      onUploaded({ jobId: entry.jobId, filename: file.name ?? '' });
  });
  uppy.on('file-removed', (file) => uploads.delete(file.id));

  return uppy;
}
