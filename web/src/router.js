import { createRouter, createWebHistory } from 'vue-router'
import { session, loadMe } from './session.js'

// Each area of the pages adds its routes (and menu entries, see App.vue) in its own file under
// routes/, so areas are added without editing this list.
const areas = Object.values(import.meta.glob('./routes/*.js', { eager: true }))

const routes = [
  { path: '/', redirect: '/portal' },
  { path: '/login', component: () => import('./pages/LoginPage.vue'), meta: { title: '登录' } },
  { path: '/register', component: () => import('./pages/RegisterPage.vue'), meta: { title: '实名注册' } },
  { path: '/portal', component: () => import('./pages/PortalPage.vue'), meta: { title: '网上办事大厅' } },
  { path: '/portal/matters/:code', component: () => import('./pages/MatterPage.vue'), meta: { title: '办事指南' } },
  { path: '/portal/matters/:code/apply', component: () => import('./pages/ApplyPage.vue'), meta: { title: '在线申请', auth: true } },
  { path: '/portal/my-cases', component: () => import('./pages/MyCasesPage.vue'), meta: { title: '我的办件', auth: true } },
  { path: '/office/inbox', component: () => import('./pages/InboxPage.vue'), meta: { title: '审批待办', auth: true } },
  { path: '/office/cases/:number', component: () => import('./pages/CaseFilePage.vue'), meta: { title: '案卷', auth: true } },
  { path: '/window', component: () => import('./pages/WindowPage.vue'), meta: { title: '综窗受理', auth: true } },
  { path: '/licences/:id', component: () => import('./pages/LicenceVerifyPage.vue'), meta: { title: '电子证照核验' } },
  ...areas.flatMap((area) => area.routes || []),
  { path: '/:rest(.*)*', component: () => import('./pages/NotFoundPage.vue'), meta: { title: '页面不存在' } },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  if (!session.loaded) await loadMe().catch(() => {})
  if (to.meta.auth && !session.me) return { path: '/login', query: { next: to.fullPath } }
})

router.afterEach((to) => {
  document.title = `${to.meta.title || ''} · 通办`
})
