import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, type HealthResponse } from '@/api/client'

/** The instance's health as `GET /api/health` reports it. */
export const useHealthStore = defineStore('health', () => {
  /** The last answer; a 503 still carries the stores' states. */
  const health = ref<HealthResponse | null>(null)
  /** A message when the API itself could not be reached. */
  const error = ref<string | null>(null)
  const loading = ref(false)

  /** Ask the API again. */
  async function refresh(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      const { data, error: problem, response } = await api.GET('/api/health')
      health.value = data ?? (problem as HealthResponse | undefined) ?? null
      if (!health.value) error.value = `The API answered ${response.status}.`
    } catch {
      health.value = null
      error.value = 'The API could not be reached.'
    } finally {
      loading.value = false
    }
  }

  return { health, error, loading, refresh }
})
