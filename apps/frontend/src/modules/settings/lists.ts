/** Lists typed one per line or comma-separated (hostnames, addresses, query keys). */
export function parseList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter(Boolean)
}
