const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes standard, padded base64 (RFC 4648 §4) and only its canonical form, or returns undefined.
 * Buffer's own decoder skips invalid characters, which would let many strings decode to the same bytes.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!STANDARD_BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : undefined;
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** True when the string has no lone surrogate, i.e. it encodes to UTF-8 without replacement characters. */
export function isWellFormedUnicode(text: string): boolean {
  return !/\p{Cs}/u.test(text);
}

/** True when the text holds an ASCII control character (below U+0020), newlines excepted if allowed. */
export function hasControlCharacter(text: string, options: { allowNewline: boolean }): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && !(code === 0x0a && options.allowNewline)) return true;
  }
  return false;
}
