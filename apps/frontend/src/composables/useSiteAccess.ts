/** A site and the caller's role in its team: what the screens show and which actions they offer. The
 * API decides in the end; this only hides what would be refused. */
import { computed, ref, watch, type Ref } from 'vue'
import { api } from '@/api/client'
import type { components } from '@/api/schema'

export type Site = components['schemas']['SiteOut']
export type Role = 'owner' | 'admin' | 'editor' | 'viewer'
const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 }

/** Whether `role` is at least `needed`. */
export function atLeast(role: Role | null, needed: Role): boolean {
  return role !== null && RANK[role] >= RANK[needed]
}

export function useSiteAccess(siteId: Ref<string>) {
  const site = ref<Site | null>(null)
  const role = ref<Role | null>(null)
  const missing = ref(false)
  async function load(): Promise<void> {
    const [found, teams] = await Promise.all([
      api.GET('/api/sites/{site_id}', { params: { path: { site_id: siteId.value } } }),
      api.GET('/api/teams'),
    ])
    site.value = found.data ?? null
    missing.value = !found.data
    const team = (teams.data ?? []).find((t) => t.id === found.data?.team_id)
    role.value = (team?.role as Role | undefined) ?? null
  }
  watch(siteId, load, { immediate: true })
  return {
    site,
    role,
    missing,
    reload: load,
    canEdit: computed(() => atLeast(role.value, 'editor')),
    canAdmin: computed(() => atLeast(role.value, 'admin')),
  }
}
