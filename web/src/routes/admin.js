// The administration pages (pages/admin/): the catalog and its bundles (一件事), processes in
// bpmn-js (loaded only on the process page), decision tables in dmn-js, accounts and roles.
const page = (name) => () => import(`../pages/admin/${name}.vue`)

export const routes = [
  { path: '/admin/matters', component: page('MattersPage'), meta: { title: '事项目录管理', auth: true } },
  { path: '/admin/matters/:code', component: page('MatterAdminPage'), meta: { title: '事项版本', auth: true } },
  { path: '/admin/bundles', component: page('BundlesPage'), meta: { title: '一件事一次办', auth: true } },
  { path: '/admin/processes', component: page('ProcessesPage'), meta: { title: '流程管理', auth: true } },
  { path: '/admin/processes/:id', component: page('ProcessPage'), meta: { title: '流程建模', auth: true } },
  { path: '/admin/accounts', component: page('AccountsPage'), meta: { title: '账户与角色', auth: true } },
]

export const nav = [
  { to: '/admin/matters', label: '事项目录', show: (s, can) => can('catalog.write') },
  { to: '/admin/bundles', label: '一件事', show: (s, can) => can('catalog.write') },
  { to: '/admin/processes', label: '流程管理', show: (s, can) => can('process.deploy') },
  { to: '/admin/accounts', label: '账户与角色', show: (s, can) => can('account.create') || can('role.grant') },
]
