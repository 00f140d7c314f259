/** Portico's mark, the same drawing as app/icon.svg. */
export function PorticoMark() {
  return (
    <svg aria-hidden="true" viewBox="0 0 32 32" className="size-6">
      <rect width="32" height="32" rx="7" fill="#1f5fbf" />
      <path d="M6 12 16 6l10 6z" fill="#ffffff" />
      <rect x="8" y="13" width="3" height="11" fill="#ffffff" />
      <rect x="14.5" y="13" width="3" height="11" fill="#ffffff" />
      <rect x="21" y="13" width="3" height="11" fill="#ffffff" />
      <rect x="6" y="25" width="20" height="2.5" fill="#ffffff" />
    </svg>
  );
}
