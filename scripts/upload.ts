// Uploads a file through the running API and follows its job to the end, printing each event.
//   ./dev.sh upload <file> [preset,preset…]      (API_URL, API_KEY default to the dev setup)
import { createClient, type PresetName } from '@media-server/client';

const [file, presetList] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: ./dev.sh upload <file> [mp4,hls,poster,sprite,image,audio]');
  process.exit(2);
}

const baseUrl = process.env.API_URL ?? 'http://127.0.0.1:3000';
const client = createClient({ baseUrl, apiKey: process.env.API_KEY ?? 'dev-key' });
const presets = presetList?.split(',').filter(Boolean) as PresetName[] | undefined;
const upload = await client.upload(file, {
  ...(presets === undefined ? {} : { presets }),
  onStart: ({ id, method }) => console.log(`job ${id}: uploading (${method})`),
});

for await (const event of client.jobs.events(upload.id)) {
  if (event.event === 'progress') {
    const { stage, percent } = event.data.progress;
    console.log(`  ${event.data.state} ${stage} ${percent.toFixed(0)} %`);
  } else if (event.event === 'state') {
    console.log(`  ${event.data.state}`);
  } else if (event.event === 'error') {
    console.log(`  error: ${event.data.detail}`);
  }
}
const job = await client.jobs.get(upload.id);
console.log(
  JSON.stringify({ state: job.state, error: job.error, outputs: job.outputs?.map((o) => o.key) }, null, 2),
);
process.exit(job.state === 'succeeded' ? 0 : 1);
