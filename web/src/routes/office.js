// The back office's supervision, oversight and policy pages (pages/office/); each page is its
// own lazily loaded chunk, and ECharts loads only with the pages that draw charts.
const page = (name) => () => import(`../pages/office/${name}.vue`)

export const routes = [
  { path: '/office/dashboard', component: page('DashboardPage'), meta: { title: '电子监察', auth: true } },
  { path: '/office/cases', component: page('CasesPage'), meta: { title: '办件查询', auth: true } },
  { path: '/office/ratings', component: page('RatingsPage'), meta: { title: '好差评明细', auth: true } },
  { path: '/office/cards', component: page('CardsPage'), meta: { title: '红黄牌', auth: true } },
  { path: '/office/cards/:id', component: page('CardPage'), meta: { title: '监察卡', auth: true } },
  { path: '/office/rectifications', component: page('RectificationsPage'), meta: { title: '差评整改', auth: true } },
  { path: '/office/rectifications/:id', component: page('RectificationPage'), meta: { title: '整改事项', auth: true } },
  { path: '/office/demands', component: page('DemandsPage'), meta: { title: '企业诉求', auth: true } },
  { path: '/office/demands/:id', component: page('DemandPage'), meta: { title: '诉求工单', auth: true } },
  { path: '/office/policies', component: page('PoliciesPage'), meta: { title: '惠企惠民政策', auth: true } },
  { path: '/office/policies/:name', component: page('PolicyPage'), meta: { title: '政策', auth: true } },
  { path: '/office/runs/:id', component: page('RunPage'), meta: { title: '政策匹配', auth: true } },
  { path: '/office/runs/:id/visits', component: page('VisitsPage'), meta: { title: '走访名单', auth: true } },
]

export const nav = [
  { to: '/office/dashboard', label: '电子监察', show: (s, can) => can('report.read') },
  { to: '/office/cards', label: '红黄牌', show: (s, can) => can('supervision.read') },
  { to: '/office/rectifications', label: '差评整改', show: (s, can) => can('evaluation.rectify') || can('evaluation.review') },
  { to: '/office/demands', label: '企业诉求', show: (s, can) => can('demand.read') },
  { to: '/office/policies', label: '政策匹配', show: (s, can) => can('policy.match') || can('policy.write') },
]
