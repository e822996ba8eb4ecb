import type { RouteRecordRaw } from 'vue-router'

/** Behaviour over time and across pages: retention cohorts and journeys. */
export const behaviourRoutes: RouteRecordRaw[] = [
  { path: '/sites/:siteId/retention', name: 'retention', component: () => import('./routes/RetentionPage.vue'), meta: { auth: true }, props: true },
  { path: '/sites/:siteId/journeys', name: 'journeys', component: () => import('./routes/JourneysPage.vue'), meta: { auth: true }, props: true },
]
