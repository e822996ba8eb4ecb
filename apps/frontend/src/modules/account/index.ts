import type { RouteRecordRaw } from 'vue-router'

/** The signed-in person's account; and resetting a forgotten password from the emailed link. */
export const accountRoutes: RouteRecordRaw[] = [
  { path: '/account', name: 'account', component: () => import('./routes/AccountPage.vue'), meta: { auth: true } },
  { path: '/forgot-password', name: 'forgot-password', component: () => import('./routes/ForgotPassword.vue') },
  { path: '/reset-password/:token', name: 'reset-password', component: () => import('./routes/ResetPassword.vue'), props: true },
]
