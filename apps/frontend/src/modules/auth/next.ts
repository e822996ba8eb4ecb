/** Where to go after signing in: a path of this app only (`/sites/…`), never another origin
 * (`//evil.example`, `/\evil.example`, `https://…`), which would make the sign-in page an open redirect. */
export function nextPath(raw: unknown, fallback = '/sites'): string {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return fallback
  try {
    return new URL(raw, 'https://fieldmark.invalid').origin === 'https://fieldmark.invalid' ? raw : fallback
  } catch {
    return fallback
  }
}
