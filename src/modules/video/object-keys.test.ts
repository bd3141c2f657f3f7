import { describe, expect, it } from 'vitest';
import { deliverablePath } from './object-keys.ts';

describe('deliverable paths under a playback token', () => {
  it('accepts rendition playlists, segments, poster, storyboard and captions', () => {
    for (const file of [
      '240p/index.m3u8',
      '1080p/init_3.mp4',
      'audio/segment-00012.m4s',
      'poster.jpg',
      'storyboard.vtt',
      'storyboard.jpg',
      'subs/en.m3u8',
      'subs/pt-BR.vtt',
    ]) {
      expect(deliverablePath.test(file), file).toBe(true);
    }
  });

  it('refuses traversal, uploads, other files and encodings', () => {
    for (const file of [
      '../upload/00000000000000.part',
      '240p/../../upload/x',
      'upload/00000000000000.part',
      '240p/index.m3u8/../x',
      '%2e%2e/x',
      'subs/../captions/en.vtt',
      '/etc/passwd',
      '240p/segment-1.m4s',
      'poster.jpg?x',
      '',
    ]) {
      expect(deliverablePath.test(file), file).toBe(false);
    }
  });
});
