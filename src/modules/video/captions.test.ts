import { describe, expect, it } from 'vitest';
import { formatWebVtt, parseCaptions } from './captions.ts';

describe('captions', () => {
  it('turns SRT into WebVTT, dropping markup other than b/i/u', () => {
    const srt =
      '1\r\n00:00:01,000 --> 00:00:02,500\r\nHello <script>x</script><i>there</i>\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nBye\r\n';
    const cues = parseCaptions(srt);
    expect(cues).toEqual([
      { startMs: 1000, endMs: 2500, text: 'Hello x<i>there</i>' },
      { startMs: 3000, endMs: 4000, text: 'Bye' },
    ]);
    expect(formatWebVtt(cues)).toBe(
      'WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello x<i>there</i>\n\n00:00:03.000 --> 00:00:04.000\nBye\n',
    );
  });

  it('reads WebVTT with short timestamps and cue settings', () => {
    expect(parseCaptions('WEBVTT\n\n01:02.000 --> 01:03.000 line:0\nHi\n')).toEqual([
      { startMs: 62_000, endMs: 63_000, text: 'Hi' },
    ]);
  });

  it('refuses a file without cues', () => {
    expect(() => parseCaptions('not subtitles at all')).toThrow(/no cues/);
  });
});
