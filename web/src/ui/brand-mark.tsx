/** The product name with its mark; decorative parts are hidden from assistive technology. */
export function BrandMark({ compact = false }: { compact?: boolean }) {
  return (
    <div className={compact ? 'brand brand-compact' : 'brand'}>
      <svg className="brand-logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
        <rect width="32" height="32" rx="7" />
        <path d="M13 7h6v6h6v6h-6v6h-6v-6H7v-6h6z" />
      </svg>
      <span className="brand-name">Carebase</span>
    </div>
  );
}
