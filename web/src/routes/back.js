// The back office's inboxes beyond review (pages/back/): certificate requests (在线开具),
// 告知承诺 verifications, overdue 容缺 materials, workflow incidents and licences to revoke.
// The case file's suspensions and extensions are on /office/cases/:number (CaseActions.vue).
const page = (name) => () => import(`../pages/back/${name}.vue`)

export const routes = [
  { path: '/office/certificate-requests', component: page('CertificateRequestsPage'), meta: { title: '证明开具', auth: true } },
  { path: '/office/verifications', component: page('VerificationsPage'), meta: { title: '告知承诺核查', auth: true } },
  { path: '/office/gaps', component: page('GapsPage'), meta: { title: '容缺补正跟踪', auth: true } },
  { path: '/office/incidents', component: page('IncidentsPage'), meta: { title: '流程异常', auth: true } },
  { path: '/office/licences', component: page('LicencePage'), meta: { title: '证照管理', auth: true } },
]

export const nav = [
  { to: '/office/certificate-requests', label: '证明开具', show: (s, can) => can('certificate.issue') },
  { to: '/office/verifications', label: '承诺核查', show: (s, can) => can('case.approve') },
  { to: '/office/gaps', label: '容缺跟踪', show: (s, can) => can('supervision.read') || can('case.accept') },
  { to: '/office/incidents', label: '流程异常', show: (s, can) => can('process.operate') },
  { to: '/office/licences', label: '证照管理', show: (s, can) => can('licence.revoke') },
]
