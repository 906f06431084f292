// 好差评 levels and the tags the server accepts per level (evaluation::DefaultTags: the
// GB/T 39734 examples); a level's tags are offered only with that level.
export const kLevels = [
  { value: 'very_satisfied', label: '非常满意' },
  { value: 'satisfied', label: '满意' },
  { value: 'basically_satisfied', label: '基本满意' },
  { value: 'dissatisfied', label: '不满意' },
  { value: 'very_dissatisfied', label: '非常不满意' },
]

export const kTags = {
  very_satisfied: ['办事效率高', '服务态度好', '一次办成', '流程简便', '材料精简'],
  satisfied: ['办事效率高', '服务态度好', '流程简便'],
  basically_satisfied: ['等待时间较长', '指引不够清楚'],
  dissatisfied: ['等待时间长', '材料要求多', '多次跑动', '未一次性告知', '服务态度差', '系统不好用'],
  very_dissatisfied: ['等待时间长', '材料要求多', '多次跑动', '未一次性告知', '服务态度差', '推诿扯皮', '超时办理'],
}

export function levelLabel(value) {
  const l = kLevels.find((x) => x.value === value)
  return l ? l.label : value
}
