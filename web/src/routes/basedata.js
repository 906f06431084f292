// Base data kept by administrators (pages/basedata/): register imports with their progress
// (批量导入, register.write) and the working-day calendars (工作日历, read by anyone, changed
// with calendar.write).
const page = (name) => () => import(`../pages/basedata/${name}.vue`)

export const routes = [
  { path: '/office/register-imports', component: page('RegisterImportsPage'), meta: { title: '批量导入', auth: true } },
  { path: '/admin/calendars', component: page('CalendarPage'), meta: { title: '工作日历', auth: true } },
]

export const nav = [
  { to: '/office/register-imports', label: '批量导入', show: (s, can) => can('register.write') },
  { to: '/admin/calendars', label: '工作日历', show: (s, can) => can('calendar.write') },
]
