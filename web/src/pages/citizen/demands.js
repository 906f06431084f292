// Chinese labels of a demand's (诉求) classes, states and steps.
export const kDemandClasses = [
  { value: 'help', label: '求助' },
  { value: 'consultation', label: '咨询' },
  { value: 'complaint', label: '投诉' },
  { value: 'suggestion', label: '建议' },
  { value: 'report', label: '举报' },
  { value: 'praise', label: '表扬' },
]
export const kDemandStates = {
  received: '已受理',
  dispatched: '已派单',
  returned: '已退回',
  handling: '办理中',
  closed: '已办结（待回访）',
  finished: '已完结',
}
export const kDemandSteps = {
  received: '受理',
  dispatched: '派单',
  arbitrated: '协调派单',
  signed: '签收',
  returned: '退回',
  extension_requested: '申请延期',
  extension_approved: '延期获批',
  extension_refused: '延期未获批',
  reminded: '催办',
  supervised: '督办',
  closed: '办结',
  callback: '回访',
  reopened: '重新办理',
}
export function classLabel(v) {
  const c = kDemandClasses.find((x) => x.value === v)
  return c ? c.label : v
}
