import { describe, expect, it } from 'vitest';
import { summarize } from './analytics.ts';

const row = (fields: Partial<Parameters<typeof summarize>[0][number]>) => ({
  views: 0,
  watch_seconds: 0,
  startup_ms_sum: 0,
  startup_samples: 0,
  stall_seconds: 0,
  switches: 0,
  rendition_seconds: {},
  ...fields,
});

describe('video analytics figures', () => {
  it('derives the startup average, rebuffering ratio and rendition shares across institutions', () => {
    const figures = summarize([
      row({
        views: 2,
        watch_seconds: 90,
        startup_ms_sum: 800,
        startup_samples: 2,
        stall_seconds: 10,
        rendition_seconds: { '720p': 60, '240p': 30 },
      }),
      row({
        views: 1,
        watch_seconds: 10,
        startup_ms_sum: 700,
        startup_samples: 1,
        switches: 3,
        rendition_seconds: { '240p': 10 },
      }),
    ]);
    expect(figures).toMatchObject({ views: 3, watchSeconds: 100, averageStartupMs: 500, switches: 3 });
    expect(figures.rebufferingRatio).toBeCloseTo(10 / 110);
    expect(figures.renditionShare).toEqual({ '720p': 0.6, '240p': 0.4 });
  });

  it('has no startup figure and no rebuffering without samples', () => {
    expect(summarize([])).toMatchObject({ views: 0, averageStartupMs: undefined, rebufferingRatio: 0 });
  });
});
