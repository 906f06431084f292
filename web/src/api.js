// The one way the pages talk to the server: the public HTTP API, with the session cookie
// (HttpOnly, set by the login) and, on every write, the CSRF token from the tb_csrf cookie in
// X-CSRF-Token. Errors are the API's problem+json, thrown as ApiError with every invalid field.

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`)
    this.status = status
    this.problem = problem || {}
    this.fields = (problem && problem.errors) || []
  }
}

export function cookie(name) {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name) return decodeURIComponent(v.join('='))
  }
  return ''
}

export async function api(method, path, body, { headers = {} } = {}) {
  const h = { Accept: 'application/json', ...headers }
  if (body !== undefined) h['Content-Type'] = 'application/json'
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = cookie('tb_csrf')
    if (csrf) h['X-CSRF-Token'] = csrf
  }
  const r = await fetch(path, {
    method,
    headers: h,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (r.status === 204) return null
  const type = r.headers.get('Content-Type') || ''
  const data = type.includes('json') ? await r.json() : await r.text()
  if (!r.ok) throw new ApiError(r.status, typeof data === 'object' ? data : { detail: data })
  return data
}

// Sends `file` (a File or Blob) as the raw body with its own Content-Type (uploads).
export async function upload(method, path, file, type) {
  const h = { Accept: 'application/json', 'Content-Type': type || file.type || 'application/octet-stream' }
  const csrf = cookie('tb_csrf')
  if (csrf) h['X-CSRF-Token'] = csrf
  const r = await fetch(path, { method, headers: h, credentials: 'same-origin', body: file })
  const data = (r.headers.get('Content-Type') || '').includes('json') ? await r.json() : await r.text()
  if (!r.ok) throw new ApiError(r.status, typeof data === 'object' ? data : { detail: data })
  return data
}

export const get = (path) => api('GET', path)
export const post = (path, body = {}, options) => api('POST', path, body, options)

// A query string from an object, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v)
  }
  const s = q.toString()
  return s ? `?${s}` : ''
}

// A message for an error, in Chinese when it is a known status.
export function describe(e) {
  if (!(e instanceof ApiError)) return `网络错误：${e.message}`
  const fields = e.fields.map((f) => `${f.field}：${f.message}`).join('；')
  const head = { 401: '请先登录', 403: '没有权限', 404: '未找到', 409: '状态冲突' }[e.status]
  return [head, e.message, fields].filter(Boolean).join(' — ')
}

// The form fields an error names as missing or invalid ("form/<name>": a consent that opens a
// grant case whose form the registers cannot fill), each with its label from the message.
export function missingFormFields(e) {
  const fields = (e && e.fields) || []
  return fields.filter((f) => f.field.startsWith('form/')).map((f) => ({ name: f.field.slice(5), label: f.message.replace(/ \(.*$/, ''), value: '' }))
}
