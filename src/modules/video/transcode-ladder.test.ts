import { describe, expect, it } from 'vitest';
import { chooseLadder } from './ladder.ts';
import type { ProbedMedia } from './probe-upload.ts';
import { ladderFilterGraph } from './transcode-ladder.ts';

const probed = { width: 1920, height: 1080, durationSeconds: 10, frameRate: 30 } as ProbedMedia;

describe('ladderFilterGraph', () => {
  it('scales each rung from the next larger one and stops the poster branch after one frame', () => {
    const graph = ladderFilterGraph(probed, chooseLadder(probed)).split(';');
    expect(graph[0]).toBe('[0:v]split=3[c4][sp][sq]');
    expect(graph).toContain('[c4]scale=1920:1080,split=2[e3][c3]');
    expect(graph).toContain('[c3]scale=1280:720,split=2[e2][c2]');
    expect(graph).toContain('[c2]scale=640:360,split=2[e1][c1]');
    expect(graph).toContain('[c1]scale=426:240,setsar=1[v0]');
    expect(graph.find((f) => f.startsWith('[sq]'))).toMatch(/^\[sq\]trim=start=1\.000,trim=end_frame=1,/);
  });

  it('caps the frame rate at 30 before splitting', () => {
    const fast = { ...probed, frameRate: 60 };
    expect(ladderFilterGraph(fast, chooseLadder(fast)).startsWith('[0:v]fps=30,split=3')).toBe(true);
  });
});
