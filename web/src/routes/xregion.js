// The cross-region pages (pages/xregion/, issue 11): partners, agreements and the coverage
// report (administration), the cross-region window (a partner's matters, applied for by proxy),
// the forwarded-case queue with each case's timeline and steps, and the message log with the
// backlog and the dead letters (retry).
const page = (name) => () => import(`../pages/xregion/${name}.vue`)

export const routes = [
  { path: '/xregion/partners', component: page('PartnersPage'), meta: { title: '跨域合作地区', auth: true } },
  { path: '/xregion/window', component: page('WindowPage'), meta: { title: '跨域通办窗口', auth: true } },
  { path: '/xregion/cases', component: page('CasesPage'), meta: { title: '跨域办件', auth: true } },
  { path: '/xregion/cases/:ref', component: page('CasePage'), meta: { title: '跨域办件', auth: true } },
  { path: '/xregion/messages', component: page('MessagesPage'), meta: { title: '跨域报文', auth: true } },
]

export const nav = [
  { to: '/xregion/window', label: '跨域通办', show: (s, can) => can('case.accept') },
  { to: '/xregion/cases', label: '跨域办件', show: (s, can) => can('case.read') && can('case.accept') },
  { to: '/xregion/partners', label: '跨域合作', show: (s, can) => can('xregion.manage') },
  { to: '/xregion/messages', label: '跨域报文', show: (s, can) => can('xregion.manage') },
]
