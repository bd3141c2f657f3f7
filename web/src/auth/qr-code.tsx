import QRCode from 'qrcode';

/**
 * The QR code as inline SVG built here: the server's `data:` image would need a looser
 * Content-Security-Policy (`img-src 'self'` only).
 */
export function QrCode({ text, label }: { text: string; label: string }) {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const cells: string[] = [];
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      if (modules.get(row, column)) cells.push(`M${column + 4} ${row + 4}h1v1h-1z`);
    }
  }
  return (
    <svg className="qr-code" viewBox={`0 0 ${size + 8} ${size + 8}`} role="img" aria-label={label}>
      <rect width={size + 8} height={size + 8} fill="#fff" />
      <path d={cells.join('')} fill="#000" />
    </svg>
  );
}
