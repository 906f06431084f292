// Chinese labels of the API's English enum values (GLOSSARY.md names them).
export const kListLabels = { nearby: '就近办', proactive: '主动办', online: '掌上网上办', assisted: '帮代办' }
export const kSourceLabels = {
  applicant: '申请人提交',
  licence: '电子证照调用（免提交）',
  reuse: '材料库复用（首次需上传）',
  certificate_request: '在线开具证明',
  commitment: '告知承诺',
  waived: '免提交',
}
export const kRequirementLabels = { always: '必要', conditional: '情形必要', optional: '非必要' }
export const kMaterialStateLabels = {
  missing: '未提交',
  provided: '已提交',
  gap: '容缺',
  supply_later: '承诺补交',
  proof_waived: '告知承诺',
}
export const kCaseStateLabels = {
  submitted: '已提交',
  under_review: '审查中',
  correction_requested: '待补正',
  suspended: '已中止',
  approved: '准予许可',
  denied: '不予许可',
  refused: '不予受理',
  withdrawn: '已撤回',
  concluded: '已办结',
  terminated: '已终止',
}
export function limitText(limit) {
  if (!limit) return '—'
  if (limit.unit === 'instant' || limit.value === 0) return '即办'
  const unit = { working_days: '个工作日', natural_days: '日', days: '日', hours: '小时' }[limit.unit] || limit.unit || ''
  return `${limit.value ?? ''} ${unit}`
}
export function label(map, v) {
  return map[v] || v
}
export const kChannelLabels = {
  online: '网上办',
  mobile: '掌上办',
  window: '窗口',
  kiosk: '自助终端',
  service_point: '便民服务点',
  assisted: '帮代办',
}
export const kOriginLabels = {
  none: '—',
  uploaded: '申请人上传',
  licence: '电子证照',
  register: '部门共享',
  clerk_scan: '窗口扫描',
}
