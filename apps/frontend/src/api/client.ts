import createClient from 'openapi-fetch'
import type { components, paths } from './schema'

/** The typed API client; `schema.d.ts` is generated from the backend's OpenAPI schema (`npm run api:types`). */
export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? '',
  // Resolved at call time, not import time, so tests and polyfills can replace it.
  fetch: (request) => globalThis.fetch(request),
})

/** Cookie-authenticated writes carry the session's CSRF token (set by the session store). */
export const csrf = { token: null as string | null }
/** A shared dashboard reads with its link's token (or the access token a link's password unlocks). */
export const shared = { token: null as string | null }
api.use({
  onRequest({ request }) {
    if (csrf.token && request.method !== 'GET') request.headers.set('X-CSRF-Token', csrf.token)
    if (shared.token) request.headers.set('Authorization', `Shared ${shared.token}`)
    return request
  },
})

/** A request the typed client does not fit (a file as the body, a streamed or binary answer), with the
 * session's CSRF token on writes, as the typed client sends it. */
export function rawRequest(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  if (csrf.token && (init.method ?? 'GET') !== 'GET') headers.set('X-CSRF-Token', csrf.token)
  return globalThis.fetch(path, { ...init, headers })
}

export type HealthResponse = components['schemas']['HealthResponse']
export type StoreHealth = components['schemas']['StoreHealth']

/** An RFC 9457 problem, as every API error is returned. */
export interface Problem {
  status: number
  title?: string
  detail?: string
  field?: string
}

/** What an API error says to a person: its problem's detail, or `fallback` when it has none. */
export function problemDetail(error: unknown, fallback: string): string {
  return (error as Partial<Problem> | undefined)?.detail ?? fallback
}
