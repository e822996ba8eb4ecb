import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { overviewRoutes } from './modules/overview'

/** Every module contributes its routes; the backend serves index.html for any of them. */
export const routes: RouteRecordRaw[] = [
  ...overviewRoutes,
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./components/NotFound.vue') },
]

export const router = createRouter({ history: createWebHistory(), routes })
