// Shared by the office pages: periods, names of departments and regions, Chinese labels.
import { get } from '../../api.js'

// The first and last day of a period (YYYY, YYYY-Qn, YYYY-MM), as the API's from/to.
export function periodRange(period) {
  let m = /^(\d{4})$/.exec(period)
  if (m) return { from: `${m[1]}-01-01`, to: `${m[1]}-12-31` }
  m = /^(\d{4})-Q([1-4])$/.exec(period)
  if (m) {
    const first = (Number(m[2]) - 1) * 3 + 1
    return { from: `${m[1]}-${String(first).padStart(2, '0')}-01`, to: lastDay(Number(m[1]), first + 2) }
  }
  m = /^(\d{4})-(\d{2})$/.exec(period)
  if (m) return { from: `${m[1]}-${m[2]}-01`, to: lastDay(Number(m[1]), Number(m[2])) }
  return { from: '', to: '' }
}
function lastDay(year, month) {
  const d = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return `${year}-${String(month).padStart(2, '0')}-${d}`
}

// The periods offered: this year, its quarters and months up to now, last year.
export function periodChoices(today = new Date()) {
  const y = today.getFullYear()
  const out = [{ value: String(y), label: `${y} 年` }]
  const q = Math.floor(today.getMonth() / 3) + 1
  for (let i = q; i >= 1; i--) out.push({ value: `${y}-Q${i}`, label: `${y} 年第 ${i} 季度` })
  for (let mo = today.getMonth() + 1; mo >= 1; mo--) {
    out.push({ value: `${y}-${String(mo).padStart(2, '0')}`, label: `${y} 年 ${mo} 月` })
  }
  out.push({ value: String(y - 1), label: `${y - 1} 年` })
  return out
}

let departmentNames = null
// Code → name of every department (one request per page load).
export async function departments() {
  if (!departmentNames) {
    const items = (await get('/api/v1/departments')).items
    departmentNames = Object.fromEntries(items.map((d) => [d.code, d.name]))
  }
  return departmentNames
}

// Code → name of the given matters that `known` lacks (those in force; a matter the portal does
// not list keeps its code), one request per matter.
export async function matterNames(codes, known = {}) {
  const missing = [...new Set(codes)].filter((c) => c && !known[c])
  const got = await Promise.all(missing.map((c) => get(`/api/v1/matters/${c}`).catch(() => null)))
  return Object.fromEntries(missing.flatMap((c, i) => (got[i] ? [[c, got[i].name]] : [])))
}

export const kCardLevels = { warning: '预警', yellow: '黄牌', red: '红牌' }
export const kCardStates = { open: '待答复', answered: '已答复', handed_over: '已移交' }
export const kCardActions = { issued: '发牌', answered: '答复', handed_over: '移交', escalated: '升级' }
export const kRectificationStates = {
  open: '待整改',
  rectified: '已整改',
  explained: '已解释说明',
  appealed: '申诉中',
  voided: '差评作废',
}
export const kLevels = {
  very_satisfied: '非常满意',
  satisfied: '满意',
  basically_satisfied: '基本满意',
  dissatisfied: '不满意',
  very_dissatisfied: '非常不满意',
}
export const kDemandStates = {
  received: '已登记',
  dispatched: '已派单',
  returned: '已退回',
  handling: '办理中',
  closed: '已办结',
  finished: '已回访',
}
export const kOrderStates = { pending: '待签收', signed: '已签收', returned: '已退回', closed: '已办结' }
export const kDemandClasses = { consultation: '咨询', help: '求助', complaint: '投诉', report: '举报', suggestion: '建议', praise: '表扬' }
export const kUrgency = { ordinary: '一般', urgent: '紧急' }

export function time(at) {
  if (!at) return '—'
  return new Date(at).toLocaleString('zh-CN', { hour12: false })
}
