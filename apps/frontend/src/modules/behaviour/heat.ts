/** The background of a retention cell: the accent colour at an opacity that follows the rate. */
export function cellShade(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || rate <= 0) return 'transparent'
  const alpha = Math.min(1, 0.08 + (Math.min(100, rate) / 100) * 0.82)
  return `color-mix(in srgb, var(--accent) ${Math.round(alpha * 100)}%, transparent)`
}
