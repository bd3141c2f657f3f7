import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { buildApp } from '../../src/app/index.ts';
import { jobHandlers } from '../../src/app/job-handlers.ts';
import { webUiContentSecurityPolicy } from '../../src/platform/http/web-ui.ts';
import { createJobWorker, type JobWorker } from '../../src/platform/jobs/index.ts';
import { bearer, createInstitutions, createUser, runId, signIn } from '../integration/identity-fixtures.ts';
import { backends, openTestRuntime, type TestRuntime } from './runtime.ts';
import { uploadFile, waitForVideo } from './video-fixtures.ts';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
export const harnessPath = '/__video-harness';

/** The harness page runs under the web app's own policy, so it proves the player works under it. */
export const playerContentSecurityPolicy = webUiContentSecurityPolicy;

/** The web app's player core (web/src/video/player-core.ts) bundled for a bare test page. */
export async function bundlePlayer(): Promise<string> {
  const result = await build({
    stdin: {
      contents: `
        import { attachPlayer } from './player-core.ts';
        const log = { events: [], ttffMs: undefined, levels: [], captions: [] };
        window.harness = {
          log,
          start(src, options) {
            const video = document.getElementById('video');
            video.muted = true;
            const handle = attachPlayer(video, src, {
              ...options,
              onChange(state) {
                log.levels = state.qualities.map((q) => q.label);
                log.captions = state.captions.map((c) => c.label);
                log.playingLevel = state.playingLevel;
                log.error = state.error;
                log.events.push({ at: video.currentTime, level: state.playingLevel });
              },
            });
            window.harness.handle = handle;
            video.play().catch((e) => log.events.push({ playError: String(e) }));
          },
          qoe: () => window.harness.handle.qoe(),
        };`,
      resolveDir: path.join(repositoryRoot, 'web/src/video'),
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    write: false,
    target: 'es2022',
    minify: true,
  });
  return result.outputFiles[0]!.text;
}

/** Serves the harness page and the bundle at the API's origin, so the player's relative URLs work. */
export async function routeHarness(page: Page, baseUrl: string, bundle: string): Promise<void> {
  await page.route(`${baseUrl}${harnessPath}/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname.endsWith('/player.js')) {
      return route.fulfill({ status: 200, contentType: 'text/javascript', body: bundle });
    }
    return route.fulfill({
      status: 200,
      contentType: 'text/html',
      headers: { 'content-security-policy': playerContentSecurityPolicy },
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Player</title>
        <script src="${harnessPath}/player.js"></script></head>
        <body><main><video id="video" controls playsinline aria-label="Tutorial"></video></main></body></html>`,
    });
  });
}

export interface VideoServer {
  baseUrl: string;
  app: FastifyInstance;
  t: TestRuntime;
  /** The viewer's bearer token (a patient). */
  viewerToken: string;
  /** The viewer's sign-in, for tests that go through the web app's form. */
  viewer: { username: string; password: string; name: string; roles: string[]; institution: string };
  videoId: string;
  /** A fresh playback URL (absolute). */
  masterUrl(): Promise<string>;
  close(): Promise<void>;
}

/** A listening application with one transcoded video (with captions) that a signed-in patient may watch. */
export async function startVideoServer(clip: string, captions: string): Promise<VideoServer> {
  const t = await openTestRuntime(backends[0], 'video_e2e');
  const institution = `e2e-${runId}`;
  await createInstitutions(t.runtime.records, [{ id: institution, name: 'E2E Clinic' }]);
  const app = await buildApp(t.runtime);
  const worker: JobWorker = createJobWorker(t.runtime.records, jobHandlers(t.runtime), {
    concurrency: 1,
    pollIntervalMs: 200,
    logger: t.runtime.logger,
  });
  worker.start();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const owner = bearer(
    (await signIn(app, await createUser(t.runtime.records, { roles: ['physician'], institution })))
      .access_token,
  );
  const viewer = await createUser(t.runtime.records, {
    roles: ['patient'],
    institution,
    patientId: `e2e-p-${runId}`,
  });
  const viewerToken = (await signIn(app, viewer)).access_token;
  const videoId = await uploadFile(app, owner, clip, { title: 'Inhaler technique', audience: 'institution' });
  await app.inject({
    method: 'PUT',
    url: `/api/videos/${videoId}/captions/en?label=English`,
    headers: { ...owner, 'content-type': 'text/vtt' },
    payload: await readFile(captions, 'utf8'),
  });
  const status = await waitForVideo(app, owner, videoId);
  if (status.status !== 'ready') throw new Error(`test video failed: ${status.failureReason}`);
  return {
    baseUrl,
    app,
    t,
    viewerToken,
    viewer: {
      username: viewer.username,
      password: viewer.password,
      name: viewer.username,
      roles: viewer.roles,
      institution,
    },
    videoId,
    async masterUrl() {
      const grant = await app.inject({
        url: `/api/videos/${videoId}/playback`,
        headers: bearer(viewerToken),
      });
      return `${baseUrl}${(grant.json() as { masterUrl: string }).masterUrl}`;
    },
    async close() {
      await worker.stop({ graceMs: 1_000 });
      await app.close();
      await t.cleanup();
    },
  };
}
