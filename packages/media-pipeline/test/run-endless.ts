// Child process of sandbox.test.ts: starts an endless ffmpeg run with the sandbox mode given as argv[2],
// prints "running" once progress arrives, then waits to be killed.
import { ffmpeg } from '../src/builder.ts';
import { runFfmpeg } from '../src/run-ffmpeg.ts';
import { isSandboxMode } from '../src/sandbox/mode.ts';

const mode = process.argv[2];
if (!isSandboxMode(mode)) throw new Error(`usage: run-endless.ts required|auto|off, got ${mode}`);
let told = false;
await runFfmpeg(ffmpeg().lavfiInput('testsrc2=size=320x240:rate=25').output('-', { format: 'null' }), {
  sandbox: mode,
  onProgress: () => {
    if (told) return;
    told = true;
    process.stdout.write('running\n');
  },
});
