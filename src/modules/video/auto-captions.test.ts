import { describe, expect, it } from 'vitest';
import { cuesFromUtterances, parseRecognized } from './auto-captions.ts';

describe('automatic caption cues', () => {
  it('reads utterances from ametadata output, skipping empty ones', () => {
    const output = [
      'frame:32   pts:10906   pts_time:0.681625',
      'lavfi.asr.text=',
      'frame:264  pts:93120   pts_time:5.82',
      'lavfi.asr.text=hold the inhaler upright',
      '',
    ].join('\n');
    expect(parseRecognized(output)).toEqual([{ endSeconds: 5.82, text: 'hold the inhaler upright' }]);
  });

  it('spans each utterance from the previous end, splits long ones and stays within the video', () => {
    const cues = cuesFromUtterances(
      [
        { endSeconds: 2, text: 'wash your hands' },
        { endSeconds: 12, text: 'one two three four five six seven eight nine ten' },
      ],
      10,
    );
    expect(cues).toEqual([
      { startMs: 0, endMs: 2000, text: 'wash your hands' },
      { startMs: 2000, endMs: 8400, text: 'one two three four five six seven eight' },
      { startMs: 8400, endMs: 10000, text: 'nine ten' },
    ]);
  });
});
