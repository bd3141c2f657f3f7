import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Cue } from './captions.ts';
import { ffmpegPath, runMediaTool } from './ffmpeg-process.ts';

/**
 * Automatic captions with the only offline speech engine installable here: CMU PocketSphinx, reached through
 * Debian ffmpeg's `asr` filter (libavfilter links libpocketsphinx3) with the US-English model of the Debian
 * package `pocketsphinx-en-us` (recommended by libpocketsphinx3). whisper.cpp and Vosk are not packaged for
 * Debian bookworm, and their npm packages download binaries or models at install time.
 */
export const speechModelDir = '/usr/share/pocketsphinx/model/en-us';
const model = {
  hmm: path.join(speechModelDir, 'en-us'),
  dict: path.join(speechModelDir, 'cmudict-en-us.dict'),
  lm: path.join(speechModelDir, 'en-us.lm.bin'),
};
export const autoCaptionLanguage = 'en';
export const autoCaptionLabel = 'English (automatic)';
const wordsPerCue = 8;

export type SpeechEngine = { available: true } | { available: false; reason: string };

let detected: Promise<SpeechEngine> | undefined;

/** Whether ffmpeg has the `asr` filter and the model files are installed (checked once per process). */
export function detectSpeechEngine(): Promise<SpeechEngine> {
  detected ??= (async (): Promise<SpeechEngine> => {
    const help = await runMediaTool(ffmpegPath, ['-hide_banner', '-h', 'filter=asr']).catch(() => '');
    if (!help.includes('Automatic Speech Recognition')) {
      return { available: false, reason: 'this ffmpeg has no asr filter (built without pocketsphinx)' };
    }
    for (const file of Object.values(model)) {
      const present = await access(file).then(
        () => true,
        () => false,
      );
      if (!present)
        return { available: false, reason: `speech model missing (${file}): install pocketsphinx-en-us` };
    }
    return { available: true };
  })();
  return detected;
}

/** `ametadata` print output: `frame:… pts_time:T` then `lavfi.asr.text=…` for each utterance. */
export function parseRecognized(output: string): { endSeconds: number; text: string }[] {
  const utterances: { endSeconds: number; text: string }[] = [];
  let endSeconds: number | undefined;
  for (const line of output.split('\n')) {
    const time = /pts_time:([\d.]+)/.exec(line);
    if (time) endSeconds = Number(time[1]);
    const text = /^lavfi\.asr\.text=(.*)$/.exec(line.trim());
    if (text && endSeconds !== undefined && text[1]!.trim() !== '') {
      utterances.push({ endSeconds, text: text[1]!.trim() });
    }
  }
  return utterances;
}

/**
 * Cues from utterances: each utterance spans from the previous one's end to its own (where the recogniser
 * heard the speech stop), split into cues of at most 8 words with time shared by word count.
 */
export function cuesFromUtterances(
  utterances: readonly { endSeconds: number; text: string }[],
  durationSeconds: number,
): Cue[] {
  const cues: Cue[] = [];
  let start = 0;
  for (const utterance of utterances) {
    const end = Math.min(utterance.endSeconds, durationSeconds);
    if (end <= start) continue;
    const words = utterance.text.split(/\s+/);
    const perWord = (end - start) / words.length;
    for (let i = 0; i < words.length; i += wordsPerCue) {
      const chunk = words.slice(i, i + wordsPerCue);
      cues.push({
        startMs: Math.round((start + i * perWord) * 1000),
        endMs: Math.round((start + (i + chunk.length) * perWord) * 1000),
        text: chunk.join(' '),
      });
    }
    start = end;
  }
  return cues;
}

/** Recognises the first audio stream of `source` (16 kHz mono, padded with silence so the last utterance ends). */
export async function transcribe(
  source: string,
  workDir: string,
  options: { durationSeconds: number; signal?: AbortSignal },
): Promise<Cue[]> {
  const output = path.join(workDir, 'asr.txt');
  const asr = `asr=hmm=${model.hmm}:dict=${model.dict}:lm=${model.lm}:logfn=/dev/null`;
  await runMediaTool(
    ffmpegPath,
    [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-protocol_whitelist', 'file', '-i', source],
      ...['-map', '0:a:0', '-vn', '-sn', '-dn'],
      '-af',
      `aresample=16000,apad=pad_dur=2,${asr},ametadata=mode=print:key=lavfi.asr.text:file=${output}`,
      ...['-f', 'null', '-'],
    ],
    { signal: options.signal },
  );
  const recognized = await readFile(output, 'utf8').catch(() => '');
  return cuesFromUtterances(parseRecognized(recognized), options.durationSeconds);
}
