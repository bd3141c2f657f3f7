import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app/index.ts';
import { jobHandlers } from '../../src/app/job-handlers.ts';
import { keyringOf, loadPlaybackKeyring, mintPlaybackToken } from '../../src/modules/video/index.ts';
import { createJobWorker, type JobWorker } from '../../src/platform/jobs/index.ts';
import { backends, openTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { generateClip, uploadFile, waitForVideo, type UploadMeta } from '../support/video-fixtures.ts';
import { addDelegation, bearer, createInstitutions, createUser, runId, signIn } from './identity-fixtures.ts';

type Auth = Record<string, string>;

describe.each(backends)('video access and playback tokens on $name', (backend) => {
  let t: TestRuntime;
  let app: FastifyInstance;
  let worker: JobWorker;
  let work: string;
  const north = `anorth-${runId}`;
  const south = `asouth-${runId}`;
  const as: Record<string, Auth> = {};
  let assignedVideo: string;
  let otherVideo: string;

  const createOnly = async (auth: Auth, meta: UploadMeta) => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/videos',
      headers: auth,
      payload: { ...meta, sizeBytes: 100 },
    });
    expect(response.statusCode, response.body).toBe(201);
    return (response.json() as { id: string }).id;
  };
  const playback = (auth: Auth | undefined, id: string) =>
    app.inject({ url: `/api/videos/${id}/playback`, headers: auth ?? {} });
  const masterOf = async (auth: Auth, id: string) => {
    const response = await playback(auth, id);
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as { masterUrl: string }).masterUrl;
  };

  beforeAll(async () => {
    t = await openTestRuntime(backend, 'video_access');
    await createInstitutions(t.runtime.records, [
      { id: north, name: 'North' },
      { id: south, name: 'South' },
    ]);
    app = await buildApp(t.runtime);
    worker = createJobWorker(t.runtime.records, jobHandlers(t.runtime), {
      concurrency: 1,
      pollIntervalMs: 200,
      logger: t.runtime.logger,
    });
    worker.start();
    const users = {
      owner: await createUser(t.runtime.records, { roles: ['physician'], institution: north }),
      southDoctor: await createUser(t.runtime.records, { roles: ['physician'], institution: south }),
      nurse: await createUser(t.runtime.records, { roles: ['nurse'], institution: south }),
      assigned: await createUser(t.runtime.records, {
        roles: ['patient'],
        institution: north,
        patientId: `p1-${runId}`,
      }),
      unassigned: await createUser(t.runtime.records, {
        roles: ['patient'],
        institution: north,
        patientId: `p2-${runId}`,
      }),
      southPatient: await createUser(t.runtime.records, {
        roles: ['patient'],
        institution: south,
        patientId: `p3-${runId}`,
      }),
      delegate: await createUser(t.runtime.records, { roles: ['delegate'], institution: north }),
    };
    await addDelegation(t.runtime.records, users.delegate.id, `p1-${runId}`, 'parent');
    for (const [name, user] of Object.entries(users))
      as[name] = bearer((await signIn(app, user)).access_token);

    work = await mkdtemp(path.join(os.tmpdir(), 'carebase-video-access-'));
    const clip = path.join(work, 'clip.mp4');
    await generateClip(clip, { seconds: 3, width: 320, height: 180 });
    assignedVideo = await uploadFile(app, as.owner!, clip, { title: 'After surgery', audience: 'patients' });
    otherVideo = await uploadFile(app, as.owner!, clip, { title: 'Diet', audience: 'public' });
    expect((await waitForVideo(app, as.owner!, assignedVideo)).status).toBe('ready');
    expect((await waitForVideo(app, as.owner!, otherVideo)).status).toBe('ready');
    const assign = await app.inject({
      method: 'POST',
      url: `/api/videos/${assignedVideo}/assignments`,
      headers: as.owner!,
      payload: { patientId: `p1-${runId}` },
    });
    expect(assign.statusCode, assign.body).toBe(204);
  });
  afterAll(async () => {
    await worker?.stop({ graceMs: 1_000 });
    await app?.close();
    await t?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('gives no playback URL to the unauthenticated, unassigned patients or other institutions', async () => {
    expect((await playback(undefined, assignedVideo)).statusCode).toBe(401);
    for (const who of ['unassigned', 'southPatient', 'southDoctor', 'nurse']) {
      const response = await playback(as[who], assignedVideo);
      expect(response.statusCode, who).toBe(404);
      expect(response.body).not.toContain('masterUrl');
    }
    for (const who of ['assigned', 'delegate', 'owner'])
      expect((await playback(as[who], assignedVideo)).statusCode, who).toBe(200);
    expect((await playback(as.southPatient, otherVideo)).statusCode).toBe(200);
    const anonymous = (id: string) => app.inject({ url: `/api/public/videos/${id}/playback` });
    expect((await anonymous(otherVideo)).statusCode).toBe(200);
    expect((await app.inject({ url: (await anonymous(otherVideo)).json().masterUrl })).statusCode).toBe(200);
    expect((await anonymous(assignedVideo)).statusCode).toBe(404);

    // Grants and refusals are in the audit ledger (written before the answer leaves).
    const { rows } = await sql<{ outcome: string; entry: string }>`
      select outcome, entry from audit_entry where action = 'playback'`.execute(t.runtime.audit.db);
    const forAssigned = rows.filter((row) => row.entry.includes(assignedVideo));
    expect(forAssigned.filter((row) => row.outcome === 'permit').length).toBeGreaterThanOrEqual(3);
    expect(forAssigned.filter((row) => row.outcome === 'deny').length).toBeGreaterThanOrEqual(4);
  });

  it('applies institution and role audiences (the check runs before the ready check)', async () => {
    const institutionOnly = await createOnly(as.owner!, { title: 'North only', audience: 'institution' });
    expect((await playback(as.southPatient, institutionOnly)).statusCode).toBe(404);
    expect((await playback(as.southDoctor, institutionOnly)).statusCode).toBe(404);
    expect((await playback(as.unassigned, institutionOnly)).statusCode).toBe(409);
    const nursesOnly = await createOnly(as.owner!, {
      title: 'Nurses',
      audience: 'roles',
      audienceRoles: ['nurse'],
    });
    expect((await playback(as.southDoctor, nursesOnly)).statusCode).toBe(404);
    expect((await playback(as.assigned, nursesOnly)).statusCode).toBe(404);
    expect((await playback(as.nurse, nursesOnly)).statusCode).toBe(409);
    const catalogue = (await app.inject({ url: '/api/videos', headers: as.unassigned! })).json() as {
      videos: { id: string }[];
    };
    expect(catalogue.videos.map((v) => v.id)).toEqual([otherVideo]);
    const mine = (await app.inject({ url: '/api/videos', headers: as.assigned! })).json() as {
      videos: { id: string }[];
    };
    expect(mine.videos.map((v) => v.id).sort()).toEqual([assignedVideo, otherVideo].sort());
  });

  it('lets only uploaders upload and only the owner change a video', async () => {
    const asPatient = await app.inject({
      method: 'POST',
      url: '/api/videos',
      headers: as.assigned!,
      payload: { title: 'x', audience: 'public', sizeBytes: 10 },
    });
    expect(asPatient.statusCode).toBe(403);
    const chunk = await app.inject({
      method: 'PUT',
      url: `/api/videos/${otherVideo}/captions/en`,
      headers: { ...as.southDoctor!, 'content-type': 'text/vtt' },
      payload: 'WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n',
    });
    expect(chunk.statusCode).toBe(403);
    const assign = await app.inject({
      method: 'POST',
      url: `/api/videos/${assignedVideo}/assignments`,
      headers: as.southDoctor!,
      payload: { patientId: `p2-${runId}` },
    });
    expect(assign.statusCode).toBe(404);
  });

  it('refuses expired, forged, tampered, malformed and other-video tokens with 403', async () => {
    const master = await masterOf(as.assigned!, assignedVideo);
    const token = master.split('/')[5]!;
    expect((await app.inject({ url: master })).statusCode).toBe(200);
    const at = (tok: string, id = assignedVideo, file = 'master.m3u8') =>
      app.inject({ url: `/api/videos/${id}/hls/${tok}/${file}` });

    const keyring = await loadPlaybackKeyring(t.config.keysDir);
    const expired = mintPlaybackToken(keyring, {
      subject: 'x',
      videoId: assignedVideo,
      ttlSeconds: 3600,
      now: Date.now() - 2 * 3600_000,
    });
    expect((await at(expired.token)).statusCode).toBe(403);
    const forged = mintPlaybackToken(keyringOf(randomBytes(32)), {
      subject: 'x',
      videoId: assignedVideo,
      ttlSeconds: 3600,
    });
    expect((await at(forged.token)).statusCode).toBe(403);
    const [kid, iat, exp, tag, sig] = token.split('.') as [string, string, string, string, string];
    const longer = (parseInt(exp, 36) + 86_400).toString(36);
    expect((await at([kid, iat, longer, tag, sig].join('.'))).statusCode).toBe(403);
    const flipped = sig.slice(0, -2) + (sig.endsWith('AA') ? 'BB' : 'AA');
    expect((await at([kid, iat, exp, tag, flipped].join('.'))).statusCode).toBe(403);
    expect((await at([kid, iat, exp, 'A'.repeat(16), sig].join('.'))).statusCode).toBe(403);
    expect((await at('not-a-token')).statusCode).toBe(403);
    expect((await at(token, otherVideo)).statusCode).toBe(403);
    expect((await at(token, otherVideo, '180p/init_0.mp4')).statusCode).toBe(403);
    expect((await at(token, assignedVideo, '180p/index.m3u8')).statusCode).toBe(200);
  });

  it('refuses tokens minted before the owner revoked playback, and accepts new ones', async () => {
    const before = await masterOf(as.assigned!, otherVideo);
    expect((await app.inject({ url: before })).statusCode).toBe(200);
    const revoke = await app.inject({
      method: 'POST',
      url: `/api/videos/${otherVideo}/revoke-playback`,
      headers: as.assigned!,
    });
    expect(revoke.statusCode).toBe(403);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/api/videos/${otherVideo}/revoke-playback`,
          headers: as.owner!,
        })
      ).statusCode,
    ).toBe(204);
    expect((await app.inject({ url: before })).statusCode).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await app.inject({ url: await masterOf(as.assigned!, otherVideo) })).statusCode).toBe(200);
  });

  it('aggregates QoE beacons once each, per institution, for the owner only', async () => {
    const beacon = (auth: Auth, body: object) =>
      app.inject({ method: 'POST', url: `/api/videos/${otherVideo}/beacons`, headers: auth, payload: body });
    const session = `s${randomBytes(6).toString('hex')}`;
    expect((await beacon(as.assigned!, { sessionId: session, seq: 0, startupMs: 400 })).statusCode).toBe(202);
    const progress = {
      sessionId: session,
      seq: 1,
      watchedSeconds: 9,
      stallSeconds: 1,
      switches: 2,
      renditionSeconds: { '180p': 9 },
    };
    expect((await beacon(as.assigned!, progress)).statusCode).toBe(202);
    expect((await beacon(as.assigned!, progress)).statusCode).toBe(202);
    expect(
      (
        await beacon(as.southPatient!, {
          sessionId: `${session}x`,
          seq: 0,
          startupMs: 600,
          watchedSeconds: 3,
          renditionSeconds: { '180p': 3 },
        })
      ).statusCode,
    ).toBe(202);
    expect((await beacon(as.assigned!, { sessionId: 'short', seq: 0 })).statusCode).toBe(400);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/api/videos/${assignedVideo}/beacons`,
          headers: as.unassigned!,
          payload: { sessionId: session, seq: 0 },
        })
      ).statusCode,
    ).toBe(404);

    let figures:
      | {
          total: {
            views: number;
            watchSeconds: number;
            averageStartupMs: number;
            rebufferingRatio: number;
            switches: number;
            renditionShare: Record<string, number>;
          };
          byInstitution: { institutionId: string; views: number }[];
        }
      | undefined;
    for (let i = 0; i < 50; i++) {
      const response = await app.inject({ url: `/api/videos/${otherVideo}/analytics`, headers: as.owner! });
      figures = response.json();
      if (figures!.total.views === 2 && figures!.total.watchSeconds === 12) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(figures!.total).toMatchObject({
      views: 2,
      watchSeconds: 12,
      averageStartupMs: 500,
      switches: 2,
      renditionShare: { '180p': 1 },
    });
    expect(figures!.total.rebufferingRatio).toBeCloseTo(1 / 13);
    expect(figures!.byInstitution.map((r) => [r.institutionId, r.views]).sort()).toEqual(
      [
        [north, 1],
        [south, 1],
      ].sort(),
    );
    expect(
      (await app.inject({ url: `/api/videos/${otherVideo}/analytics`, headers: as.assigned! })).statusCode,
    ).toBe(403);
  });
});
