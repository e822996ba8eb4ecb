import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useSessionStore } from './stores/session'
import { authRoutes } from './modules/auth'
import { overviewRoutes } from './modules/overview'
import { sitesRoutes } from './modules/sites'
import { dashboardRoutes } from './modules/dashboard'
import { funnelRoutes } from './modules/funnels'
import { settingsRoutes } from './modules/settings'
import { teamRoutes } from './modules/team'
import { shareRoutes } from './modules/share'
import { behaviourRoutes } from './modules/behaviour'
import { accountRoutes } from './modules/account'
import { adminRoutes } from './modules/admin'
import { heatmapRoutes } from './modules/heatmaps'

/** Every module contributes its routes; the backend serves index.html for any of them. */
export const routes: RouteRecordRaw[] = [
  ...overviewRoutes,
  ...authRoutes,
  ...sitesRoutes,
  ...dashboardRoutes,
  ...funnelRoutes,
  ...settingsRoutes,
  ...teamRoutes,
  ...shareRoutes,
  ...behaviourRoutes,
  ...accountRoutes,
  ...adminRoutes,
  ...heatmapRoutes,
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./components/NotFound.vue') },
]

export const router = createRouter({ history: createWebHistory(), routes })

// Routes marked `meta.auth` need a signed-in person: others go to the sign-in page, and come back after.
router.beforeEach(async (to) => {
  if (!to.meta.auth) return true
  const user = await useSessionStore().load()
  return user ? true : { name: 'login', query: { next: to.fullPath } }
})
