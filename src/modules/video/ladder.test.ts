import { describe, expect, it } from 'vitest';
import { chooseLadder } from './ladder.ts';

describe('chooseLadder', () => {
  it('never goes above the source and keeps the aspect ratio, lowest first', () => {
    expect(chooseLadder({ width: 1280, height: 720 }).map((r) => `${r.width}x${r.height}`)).toEqual([
      '426x240',
      '640x360',
      '1280x720',
    ]);
    expect(chooseLadder({ width: 1920, height: 1080 }).map((r) => r.name)).toEqual([
      '240p',
      '360p',
      '720p',
      '1080p',
    ]);
  });

  it('gives a tiny source one rendition at its own size', () => {
    expect(chooseLadder({ width: 176, height: 144 })).toEqual([
      { name: '144p', width: 176, height: 144, videoKbps: 300, level: 30 },
    ]);
  });
});
