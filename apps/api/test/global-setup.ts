import { ensureClientBuild } from '../../../scripts/client-build.ts';

/** The API serves the client's browser build to the web page: build it when missing or stale (tests run from source). */
export default async function setup(): Promise<void> {
  await ensureClientBuild();
}
