// Shared by the project pages: Chinese labels of the states, kinds and types.
export const kTypes = { government_investment: '政府投资', social_investment: '社会投资', small_low_risk: '小型低风险' }
export const kStageStates = { pending: '未开始', running: '办理中', concluded: '已办结' }
export const kMatterStates = {
  pending: '未开始',
  pre_reviewed: '已提前审',
  under_review: '审查中',
  approved: '已批准',
  denied: '不予批准',
  removed: '已取消（极简审）',
  exempted: '已豁免（区域评估）',
}
export const kMaterialStates = { submitted: '已提交', gap: '容缺', supply_later: '先批后补', proof_waived: '免证明' }
export const kPauseKinds = {
  intermediary: '中介服务',
  utility: '市政公用接入',
  public_notice: '公示',
  hearing: '听证',
  expert_review: '专家评审',
  correction: '申请人补正',
}
export const kClockStatus = {
  not_started: '未开始',
  on_track: '正常',
  warning: '预警',
  over_budget: '超预算',
  concluded: '按期办结',
  concluded_late: '超期办结',
}
export const kLevels = { warning: '预警', yellow: '黄牌', red: '红牌' }
export const day = (d) => d || '—'
