// Uploads a file through the running API and follows its job to the end, printing each event.
//   ./dev.sh upload <file> [preset,preset…]      (API_URL, API_KEY default to the dev setup)
// Reads the file into memory: a demonstration of the flow, not an uploader for very large files.
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { createApiClient } from '../apps/api/src/client/api-client.ts';

const [file, presetList] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: ./dev.sh upload <file> [mp4,hls,poster,sprite,image,audio]');
  process.exit(2);
}

const contentTypes: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.mkv': 'video/x-matroska',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.m4a': 'audio/mp4',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
};
const baseUrl = process.env.API_URL ?? 'http://127.0.0.1:3000';
const client = createApiClient({ baseUrl, apiKey: process.env.API_KEY ?? 'dev-key' });
const size = (await stat(file)).size;
const presets = presetList?.split(',').filter(Boolean) as Parameters<
  typeof client.createUpload
>[0]['presets'];

const upload = await client.createUpload({
  filename: basename(file),
  contentType: contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream',
  size,
  ...(presets === undefined ? {} : { presets }),
});
console.log(`job ${upload.id}: uploading ${size} bytes to ${upload.key} (${upload.method})`);
await client.uploadFile(upload, new Uint8Array(await readFile(file)));

for await (const event of client.jobEvents(upload.id)) {
  if (event.event === 'progress') {
    const { stage, percent } = event.data.progress;
    console.log(`  ${event.data.state} ${stage} ${percent.toFixed(0)} %`);
  } else if (event.event === 'state') {
    console.log(`  ${event.data.state}`);
  } else if (event.event === 'error') {
    console.log(`  error: ${event.data.detail}`);
  }
}
const job = await client.getJob(upload.id);
console.log(
  JSON.stringify({ state: job.state, error: job.error, outputs: job.outputs?.map((o) => o.key) }, null, 2),
);
process.exit(job.state === 'succeeded' ? 0 : 1);
