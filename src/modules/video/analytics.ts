import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Bus, StopConsuming } from '../../platform/bus/index.ts';
import type { RequestContext } from '../../platform/context/index.ts';
import type { Logger } from '../../platform/logging/index.ts';
import type { VideoDB } from './db-types.ts';
import type { Beacon } from './schemas.ts';

export const analyticsStream = 'CAREBASE_VIDEO_ANALYTICS';
const subjectRoot = 'carebase.video.analytics';

/** A beacon as it travels on the bus: who watched is reduced to the institution the figures roll up to. */
export interface BeaconEvent extends Beacon {
  videoId: string;
  institutionId: string;
}

export interface VideoAnalytics {
  views: number;
  watchSeconds: number;
  averageStartupMs: number | undefined;
  /** Stalled time over watched plus stalled time. */
  rebufferingRatio: number;
  switches: number;
  /** Share of watched time per rendition. */
  renditionShare: Record<string, number>;
}

/**
 * Every process of one deployment shares a records database, so the durable consumer is named after it:
 * processes of a deployment share the work, and deployments sharing a NATS server do not steal each
 * other's beacons.
 */
export function deploymentTag(databaseIdentity: string): string {
  return createHash('sha256').update(databaseIdentity).digest('hex').slice(0, 16);
}

export function createVideoAnalytics(deps: { db: Kysely<VideoDB>; bus: Bus; logger: Logger; tag: string }) {
  const { db, bus, tag } = deps;
  const subject = `${subjectRoot}.${tag}`;
  let ensured: Promise<void> | undefined;
  const ensure = () =>
    (ensured ??= bus.ensureStream(analyticsStream, [`${subjectRoot}.>`], { maxAgeMs: 7 * 86_400_000 }));

  async function apply(event: BeaconEvent): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const fresh = await trx
        .insertInto('video_beacon_seen')
        .values({ id: `${event.videoId}:${event.sessionId}:${event.seq}` })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!fresh) return;
      const exists = await trx
        .selectFrom('video')
        .select('id')
        .where('id', '=', event.videoId)
        .executeTakeFirst();
      if (!exists) return;
      const views = event.seq === 0 ? 1 : 0;
      const startup = event.startupMs ?? 0;
      const samples = event.startupMs === undefined ? 0 : 1;
      const renditions = JSON.stringify(event.renditionSeconds);
      await trx
        .insertInto('video_stats')
        .values({
          video_id: event.videoId,
          institution_id: event.institutionId,
          views,
          watch_seconds: event.watchedSeconds,
          startup_ms_sum: startup,
          startup_samples: samples,
          stall_seconds: event.stallSeconds,
          switches: event.switches,
          rendition_seconds: renditions,
        })
        .onConflict((oc) =>
          oc.columns(['video_id', 'institution_id']).doUpdateSet({
            views: sql`video_stats.views + ${views}`,
            watch_seconds: sql`video_stats.watch_seconds + ${event.watchedSeconds}`,
            startup_ms_sum: sql`video_stats.startup_ms_sum + ${startup}`,
            startup_samples: sql`video_stats.startup_samples + ${samples}`,
            stall_seconds: sql`video_stats.stall_seconds + ${event.stallSeconds}`,
            switches: sql`video_stats.switches + ${event.switches}`,
            rendition_seconds: sql`(select coalesce(jsonb_object_agg(k, v), '{}'::jsonb) from (
                select k, sum(v::double precision) as v from (
                  select key as k, value::text as v from jsonb_each(video_stats.rendition_seconds)
                  union all select key, value::text from jsonb_each(${renditions}::jsonb)
                ) parts group by k) summed)`,
          }),
        )
        .execute();
    });
  }

  return {
    /** Accepted now, counted eventually (the bus is durable; the consumer is idempotent). */
    async report(ctx: RequestContext, videoId: string, beacon: Beacon): Promise<void> {
      await ensure();
      const event: BeaconEvent = { ...beacon, videoId, institutionId: ctx.institution ?? 'none' };
      await bus.publish(subject, event, { msgId: `${videoId}:${beacon.sessionId}:${beacon.seq}` });
    },

    async start(): Promise<StopConsuming> {
      await ensure();
      return bus.consume(
        { stream: analyticsStream, durable: `video-analytics-${tag}`, subject },
        (message) => apply(message.json<BeaconEvent>()),
        {
          onHandlerError: (err, _message, details) =>
            deps.logger.warn({ err, willRetry: details.willRetry }, 'video analytics beacon failed'),
        },
      );
    },

    async figures(
      videoId: string,
    ): Promise<{ total: VideoAnalytics; byInstitution: (VideoAnalytics & { institutionId: string })[] }> {
      const rows = await db.selectFrom('video_stats').selectAll().where('video_id', '=', videoId).execute();
      const byInstitution = rows.map((row) => ({ institutionId: row.institution_id, ...summarize([row]) }));
      return { total: summarize(rows), byInstitution };
    },
  };
}

type StatsRow = {
  views: number;
  watch_seconds: number;
  startup_ms_sum: number;
  startup_samples: number;
  stall_seconds: number;
  switches: number;
  rendition_seconds: Record<string, number>;
};

export function summarize(rows: readonly StatsRow[]): VideoAnalytics {
  const sum = (f: (r: StatsRow) => number) => rows.reduce((acc, r) => acc + Number(f(r)), 0);
  const watch = sum((r) => r.watch_seconds);
  const stall = sum((r) => r.stall_seconds);
  const samples = sum((r) => r.startup_samples);
  const perRendition: Record<string, number> = {};
  for (const row of rows) {
    for (const [name, seconds] of Object.entries(row.rendition_seconds ?? {})) {
      perRendition[name] = (perRendition[name] ?? 0) + Number(seconds);
    }
  }
  const renditionTotal = Object.values(perRendition).reduce((a, b) => a + b, 0);
  return {
    views: sum((r) => r.views),
    watchSeconds: watch,
    averageStartupMs: samples > 0 ? sum((r) => r.startup_ms_sum) / samples : undefined,
    rebufferingRatio: watch + stall > 0 ? stall / (watch + stall) : 0,
    switches: sum((r) => r.switches),
    renditionShare: Object.fromEntries(
      Object.entries(perRendition).map(([name, seconds]) => [
        name,
        renditionTotal > 0 ? seconds / renditionTotal : 0,
      ]),
    ),
  };
}

export type VideoAnalyticsService = ReturnType<typeof createVideoAnalytics>;
