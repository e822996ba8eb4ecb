import type { RouteRecordRaw } from 'vue-router'

/** Signing in, and opening an account. */
export const authRoutes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./routes/LoginPage.vue') },
  { path: '/register', name: 'register', component: () => import('./routes/RegisterPage.vue') },
]
