/** Where a video's objects live in storage. */
export const videoKeys = {
  uploadChunk: (id: string, offset: number) => `videos/${id}/upload/${String(offset).padStart(14, '0')}.part`,
  uploadPrefix: (id: string) => `videos/${id}/upload/`,
  hls: (id: string, file: string) => `videos/${id}/hls/${file}`,
  caption: (id: string, language: string) => `videos/${id}/captions/${language}.vtt`,
};

const contentTypes: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  jpg: 'image/jpeg',
  vtt: 'text/vtt; charset=utf-8',
};

export function contentTypeOf(file: string): string {
  return contentTypes[file.split('.').pop() ?? ''] ?? 'application/octet-stream';
}

/**
 * Files a playback token may fetch under a video: rendition playlists, init and media segments, the poster,
 * the storyboard and captions. Anything else (`..`, uploads, other prefixes) is refused before storage.
 */
export const deliverablePath =
  /^(?:(?:\d{2,4}p|audio)\/(?:index\.m3u8|init(?:_\d+)?\.mp4|segment-\d{5}\.m4s)|poster\.jpg|storyboard\.(?:jpg|vtt)|subs\/[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?\.(?:m3u8|vtt))$/;
