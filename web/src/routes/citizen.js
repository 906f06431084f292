// The citizen's and enterprise's pages of the portal: a case in depth, notices, licences, the
// enterprise's demands, and rating a visit by its QR code.
const citizen = (session) => !!session.me && session.me.account.kind !== 'staff'

export const routes = [
  { path: '/portal/my-cases/:number', component: () => import('../pages/citizen/CaseDetailPage.vue'), meta: { title: '办件详情', auth: true } },
  { path: '/portal/licences', component: () => import('../pages/citizen/LicencesPage.vue'), meta: { title: '我的证照', auth: true } },
  { path: '/portal/notices', component: () => import('../pages/citizen/NoticesPage.vue'), meta: { title: '我的消息', auth: true } },
  { path: '/portal/enterprise', component: () => import('../pages/citizen/EnterprisePage.vue'), meta: { title: '企业服务', auth: true } },
  { path: '/portal/demands/:id', component: () => import('../pages/citizen/DemandPage.vue'), meta: { title: '诉求详情', auth: true } },
  { path: '/evaluate/:token', component: () => import('../pages/citizen/RateVisitPage.vue'), meta: { title: '服务评价' } },
]

export const nav = [
  { to: '/portal/licences', label: '我的证照', show: (session) => citizen(session) },
  { to: '/portal/notices', label: '我的消息', show: (session) => citizen(session) },
  { to: '/portal/enterprise', label: '企业服务', show: (session) => citizen(session) && (session.me.enterprises || []).length > 0 },
]
