interface Point {
  at: Date;
  value: number;
}

interface LabTrendChartProps {
  title: string;
  unit: string;
  points: Point[];
  low?: number;
  high?: number;
}

const width = 280;
const height = 90;
const pad = 8;

/** A small inline SVG trend with the reference range shaded; the table beside it carries the numbers. */
export function LabTrendChart({ title, unit, points, low, high }: LabTrendChartProps) {
  const sorted = [...points].sort((a, b) => a.at.getTime() - b.at.getTime());
  const values = sorted.map((point) => point.value);
  const min = Math.min(...values, low ?? Infinity);
  const max = Math.max(...values, high ?? -Infinity);
  const span = max - min || 1;
  const first = sorted[0]?.at.getTime() ?? 0;
  const last = sorted[sorted.length - 1]?.at.getTime() ?? 1;
  const x = (at: Date) => pad + ((at.getTime() - first) / (last - first || 1)) * (width - 2 * pad);
  const y = (value: number) => height - pad - ((value - min) / span) * (height - 2 * pad);
  const line = sorted.map((point) => `${x(point.at).toFixed(1)},${y(point.value).toFixed(1)}`).join(' ');
  const bandTop = y(Math.min(high ?? max, max));
  const bandBottom = y(Math.max(low ?? min, min));
  const latest = sorted[sorted.length - 1];
  return (
    <svg
      className="trend-chart"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`${title}: ${sorted.length} results, latest ${latest?.value ?? ''} ${unit}`}
    >
      {(low !== undefined || high !== undefined) && (
        <rect
          className="trend-range"
          x={pad}
          width={width - 2 * pad}
          y={bandTop}
          height={Math.max(bandBottom - bandTop, 1)}
        />
      )}
      <polyline className="trend-line" points={line} fill="none" />
      {sorted.map((point) => (
        <circle
          key={point.at.toISOString()}
          className={
            (low !== undefined && point.value < low) || (high !== undefined && point.value > high)
              ? 'trend-point trend-point-out'
              : 'trend-point'
          }
          cx={x(point.at)}
          cy={y(point.value)}
          r={3.5}
        />
      ))}
    </svg>
  );
}
