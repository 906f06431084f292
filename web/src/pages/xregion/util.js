// Shared by the cross-region pages: Chinese names of modes, roles and states.
export const kModes = { online: '全程网办', proxy: '异地代收代办', joint: '多地联办' }
export const kRoles = { receiving: '收件地', handling: '办理地', lead: '牵头地', part: '协办地' }
export const kStates = {
  forwarded: '已转办理地',
  started: '已发起',
  accepted: '已受理',
  correction_requested: '补正告知',
  refused: '不予受理',
  approved: '准予许可',
  denied: '不予许可',
  mailed: '已邮寄',
  concluded: '已办结',
  delivered: '已送达',
  originals_mailed: '原件已寄出',
  originals_received: '原件已收到',
}
export function time(ms) {
  return ms ? new Date(ms).toLocaleString('zh-CN', { hour12: false }) : '—'
}
