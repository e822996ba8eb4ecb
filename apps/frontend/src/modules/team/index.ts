import type { RouteRecordRaw } from 'vue-router'

/** A team's members and invitations; and accepting an invitation from its emailed link. */
export const teamRoutes: RouteRecordRaw[] = [
  { path: '/teams/:teamId', name: 'team', component: () => import('./routes/TeamPage.vue'), meta: { auth: true }, props: true },
  { path: '/invitations/:token', name: 'invitation', component: () => import('./routes/AcceptInvitation.vue'), props: true },
]
