// 自助终端: the self-service kiosk, full screen (no portal header), one terminal per device.
export const routes = [
  { path: '/kiosk', component: () => import('../pages/kiosk/KioskPage.vue'), meta: { title: '自助服务终端' } },
]

export const nav = []
