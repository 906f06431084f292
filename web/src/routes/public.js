// The public pages beyond the portal (pages/public/): published statistics (政务公开), for
// anyone, without sign-in.
const page = (name) => () => import(`../pages/public/${name}.vue`)

export const routes = [
  { path: '/statistics', component: page('StatisticsPage'), meta: { title: '办件与好差评统计' } },
]

export const nav = [{ to: '/statistics', label: '统计公开', show: () => true }]
