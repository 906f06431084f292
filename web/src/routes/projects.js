// The construction-project pages (pages/projects/): the project board with the KPIs and the
// notices of warnings and cards, one project (stages, the budget clock, the flow table the
// service commissioner edits, pre-review, exemptions, delegation, escalation) and batch review.
const page = (name) => () => import(`../pages/projects/${name}.vue`)

export const routes = [
  { path: '/projects', component: page('ProjectsPage'), meta: { title: '工程建设项目', auth: true } },
  { path: '/projects/batch', component: page('BatchPage'), meta: { title: '批量审', auth: true } },
  { path: '/projects/:id', component: page('ProjectPage'), meta: { title: '项目', auth: true } },
]

export const nav = [
  { to: '/projects', label: '工程建设项目', show: (s, can) => can('project.read') },
  { to: '/projects/batch', label: '批量审', show: (s, can) => can('project.review') },
]
