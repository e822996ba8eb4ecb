import type { RouteRecordRaw } from 'vue-router'

/** Signing in. */
export const authRoutes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./routes/LoginPage.vue') },
]
