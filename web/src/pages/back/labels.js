// Chinese labels of the back office's API values (GLOSSARY.md names them).
export const kSuspensionReasons = {
  hearing: '听证',
  tendering: '招标',
  auction: '拍卖',
  inspection: '检验',
  testing: '检测',
  quarantine: '检疫',
  appraisal: '鉴定',
  expert_review: '专家评审',
}
export const kVerificationStates = {
  scheduled: '待核查',
  confirmed: '核查属实',
  rectifying: '限期整改中',
  rectified: '已整改',
  revoked: '已撤销许可',
}
export const kVerificationFindings = {
  true: '承诺属实',
  untrue: '承诺不实，责令限期整改',
  rectified: '已按期整改',
  not_rectified: '逾期未整改（撤销许可）',
  false_commitment: '虚假承诺（撤销许可）',
}
export const kCertificateRequestStates = { requested: '待开具', answered: '已开具', refused: '已拒绝', cancelled: '已撤销（办件已结束）' }
export const kLicenceStates = { valid: '有效', revoked: '已注销', expired: '已过期', superseded: '已换发' }
