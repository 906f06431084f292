// Shared by the administration pages: XML writes through the API, labels, and the catalog's
// decision tables (the YAML of docs/catalog-format.md) as DMN 1.3 XML for dmn-js.
import { ApiError, cookie } from '../../api.js'

// POSTs XML (a BPMN model) with the session cookie and the CSRF token, as api() does JSON.
export async function postXml(path, xml) {
  const r = await fetch(path, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/xml', 'X-CSRF-Token': cookie('tb_csrf') },
    credentials: 'same-origin',
    body: xml,
  })
  const data = await r.json().catch(() => ({}))
  if (!r.ok) throw new ApiError(r.status, data)
  return data
}

// GETs text (XML) the same way.
export async function getText(path) {
  const r = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/xml' } })
  if (!r.ok) throw new ApiError(r.status, await r.json().catch(() => ({})))
  return r.text()
}

export const kVersionStates = { draft: '草稿', approved: '已审核', published: '已发布', superseded: '已替代', withdrawn: '已撤销' }

function escape(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

// The DMN 1.3 XML of a decision table in the catalog's YAML form (decision, inputs, outputs,
// rules of FEEL cells), with a layout so that dmn-js opens it; `id` names the decision.
export function tableToDmn(table, id = 'decision') {
  const inputs = (table.inputs || [])
    .map((inp, i) => `<input id="in_${i}" label="${escape(inp.label || inp.expression)}"><inputExpression id="in_${i}_e" typeRef="${escape(typeOf(table, inp.expression))}"><text>${escape(inp.expression)}</text></inputExpression></input>`)
    .join('')
  const outputs = (table.outputs || [])
    .map((out, i) => `<output id="out_${i}" name="${escape(out.name)}" label="${escape(out.label || out.name)}" typeRef="${escape(out.type || 'string')}"/>`)
    .join('')
  const nIn = (table.inputs || []).length
  const rules = (table.rules || [])
    .map((cells, r) => {
      const ins = cells.slice(0, nIn).map((c, i) => `<inputEntry id="r${r}_i${i}"><text>${escape(c)}</text></inputEntry>`).join('')
      const outs = cells.slice(nIn).map((c, i) => `<outputEntry id="r${r}_o${i}"><text>${escape(c)}</text></outputEntry>`).join('')
      return `<rule id="r${r}">${ins}${outs}</rule>`
    })
    .join('')
  const name = escape(table.decision || id)
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" id="definitions_${id}" name="${name}" namespace="https://tongban.gov.cn/dmn">
<decision id="${id}" name="${name}"><decisionTable id="${id}_table" hitPolicy="${escape(table.hit_policy || 'UNIQUE')}">${inputs}${outputs}${rules}</decisionTable></decision>
<dmndi:DMNDI><dmndi:DMNDiagram id="diagram_${id}"><dmndi:DMNShape id="shape_${id}" dmnElementRef="${id}"><dc:Bounds height="80" width="180" x="150" y="80"/></dmndi:DMNShape></dmndi:DMNDiagram></dmndi:DMNDI>
</definitions>`
}

function typeOf(table, expression) {
  const d = (table.data || []).find((x) => x.name === expression)
  return d && d.type ? d.type : 'string'
}

// Adds to each flow node the <incoming>/<outgoing> references of its sequence flows, which
// hand-written BPMN files often leave out: bpmn-auto-layout follows them to lay the graph out.
export function withFlowReferences(xml) {
  // Comments go (bpmn-js drops them anyway): some hold "--", which a strict parser refuses.
  const doc = new DOMParser().parseFromString(xml.replace(/<!--[\s\S]*?-->/g, ''), 'application/xml')
  if (doc.getElementsByTagName('parsererror').length) return xml
  const ns = doc.documentElement.namespaceURI
  const prefix = doc.documentElement.prefix
  const byId = new Map()
  for (const el of doc.getElementsByTagNameNS(ns, '*')) {
    if (el.getAttribute('id')) byId.set(el.getAttribute('id'), el)
  }
  const has = (el, tag, id) => Array.from(el.children).some((c) => c.localName === tag && c.textContent.trim() === id)
  const add = (el, tag, id) => {
    if (!el || has(el, tag, id)) return
    const ref = doc.createElementNS(ns, prefix ? `${prefix}:${tag}` : tag)
    ref.textContent = id
    const before = Array.from(el.children).find((c) => !['documentation', 'extensionElements', 'incoming', 'outgoing'].includes(c.localName))
    el.insertBefore(ref, before || null)
  }
  for (const flow of doc.getElementsByTagNameNS(ns, 'sequenceFlow')) {
    const id = flow.getAttribute('id')
    add(byId.get(flow.getAttribute('sourceRef')), 'outgoing', id)
    add(byId.get(flow.getAttribute('targetRef')), 'incoming', id)
  }
  return new XMLSerializer().serializeToString(doc)
}

// The catalog decision table back from DMN XML edited in dmn-js: hit policy, inputs, outputs
// and rules from the XML; everything else (decision, data) kept from `original`.
export function dmnToTable(xml, original = {}) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml')
  if (doc.getElementsByTagName('parsererror').length) throw new Error('DMN XML 无法解析')
  const all = (el, tag) => Array.from(el.getElementsByTagNameNS('*', tag))
  const text = (el) => {
    const t = el && all(el, 'text')[0]
    return t ? t.textContent.trim() : ''
  }
  const dt = all(doc, 'decisionTable')[0]
  if (!dt) throw new Error('DMN 中没有决策表')
  const byExpression = Object.fromEntries((original.inputs || []).map((i) => [i.expression, i]))
  const inputs = all(dt, 'input').map((inp) => {
    const expression = text(all(inp, 'inputExpression')[0])
    const label = inp.getAttribute('label')
    const kept = { ...(byExpression[expression] || {}), expression }
    if (label && label !== expression) kept.label = label
    return kept
  })
  const outputs = all(dt, 'output').map((out, i) => {
    const kept = { ...((original.outputs || [])[i] || {}), name: out.getAttribute('name') }
    if (out.getAttribute('typeRef')) kept.type = out.getAttribute('typeRef')
    return kept
  })
  const rules = all(dt, 'rule').map((rule) => [
    ...all(rule, 'inputEntry').map((c) => text(c) || '-'),
    ...all(rule, 'outputEntry').map((c) => text(c)),
  ])
  const table = { ...original, inputs, outputs, rules }
  const hit = dt.getAttribute('hitPolicy')
  if (hit && (hit !== 'UNIQUE' || original.hit_policy)) table.hit_policy = hit
  return table
}
