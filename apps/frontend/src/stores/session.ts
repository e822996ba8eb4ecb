import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { api, csrf as csrfHeader, problemDetail } from '@/api/client'

export interface User {
  id: string
  email: string
  name: string
  is_instance_admin: boolean
}

/** Who is signed in, and the CSRF token every cookie-authenticated write must carry. */
export const useSessionStore = defineStore('session', () => {
  const user = ref<User | null>(null)
  const csrf = ref<string | null>(null)
  watch(csrf, (token) => (csrfHeader.token = token), { flush: 'sync' })
  const checked = ref(false)

  /** Ask the API who the browser's session belongs to (once per page load unless forced). */
  async function load(force = false): Promise<User | null> {
    if (checked.value && !force) return user.value
    const { data } = await api.GET('/api/auth/me')
    user.value = data?.user ?? null
    csrf.value = data?.csrf_token ?? null
    checked.value = true
    return user.value
  }

  /** Sign in; answers an error message, a two-factor challenge to complete, or null when signed in. */
  async function logIn(email: string, password: string): Promise<{ error?: string; challenge?: string } | null> {
    const { data, error, response } = await api.POST('/api/auth/login', { body: { email, password } })
    if (!data) {
      const detail = problemDetail(error, '')
      return { error: response.status === 429 ? `Too many attempts. ${detail}` : detail || 'Sign-in failed.' }
    }
    if ('challenge' in data) return { challenge: data.challenge }
    user.value = data.user
    csrf.value = data.csrf_token
    checked.value = true
    return null
  }

  async function completeTwoFactor(challenge: string, code: string): Promise<string | null> {
    const { data, error } = await api.POST('/api/auth/login/2fa', { body: { challenge, code } })
    if (!data) return problemDetail(error, 'That code did not work.')
    user.value = data.user
    csrf.value = data.csrf_token
    checked.value = true
    return null
  }

  /** Open an account (the first of an instance, or any when registration is open) and sign in. */
  async function register(email: string, password: string, name: string): Promise<string | null> {
    const { data, error } = await api.POST('/api/auth/register', { body: { email, password, name } as never })
    if (!data) return problemDetail(error, 'The account was not created.')
    const answer = data as unknown as { user: User; csrf_token: string }
    user.value = answer.user
    csrf.value = answer.csrf_token
    checked.value = true
    return null
  }

  /** End the session on the server too; the cookie is cleared by the answer. */
  async function logOut(): Promise<void> {
    await api.POST('/api/auth/logout')
    user.value = null
    csrf.value = null
  }

  return { user, csrf, checked, load, logIn, register, completeTwoFactor, logOut }
})
