// How the examples print times, windows and amounts: UTC, so that what they print does not depend on
// the machine's time zone, and amounts in won with thousands separators.

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE

/** `2026-11-23 09:05` (UTC). */
export function formatTime(timestamp: number): string {
  return new Date(timestamp).toISOString().slice(0, 16).replace('T', ' ')
}

/** `2026-11-23 09:00-10:00` for a window within one day, the full end otherwise (UTC). */
export function formatWindow(start: number, end: number): string {
  const from = formatTime(start)
  const to = formatTime(end)
  return from.slice(0, 10) === to.slice(0, 10) ? `${from}-${to.slice(11)}` : `${from} - ${to}`
}

/** `₩12,500` */
export function won(amount: number): string {
  return `₩${Math.round(amount).toLocaleString('en-US')}`
}

/** The start of the hour a timestamp falls in. */
export function floorToHour(timestamp: number): number {
  return timestamp - (timestamp % HOUR)
}
