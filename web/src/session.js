// Who is signed in (GET /api/v1/me through the session cookie) and the 关怀模式 preference.
import { reactive } from 'vue'
import { api, ApiError } from './api.js'

export const session = reactive({ me: null, loaded: false })

export async function loadMe() {
  try {
    session.me = await api('GET', '/api/v1/me')
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e
    session.me = null
  }
  session.loaded = true
  return session.me
}

// Signs in by cookie (the token never reaches scripts); `credentials` is the login body.
export async function signIn(credentials) {
  await api('POST', '/api/v1/sessions?session=cookie', credentials)
  return loadMe()
}

export async function signOut() {
  try {
    await api('DELETE', '/api/v1/sessions/current')
  } finally {
    session.me = null
  }
}

export function can(permission) {
  return !!session.me && (session.me.permissions || []).includes(permission)
}

// The first page for the account: staff land on their work, citizens on the portal.
export function homeFor(me) {
  if (!me) return '/portal'
  const p = me.permissions || []
  if (p.includes('case.accept')) return '/window'
  if (p.includes('case.review')) return '/office/inbox'
  return '/portal'
}

const kCareKey = 'tongban.care'
export const care = reactive({ on: localStorage.getItem(kCareKey) === '1' })

export function applyCareMode() {
  document.documentElement.classList.toggle('care', care.on)
}

export function toggleCareMode() {
  care.on = !care.on
  localStorage.setItem(kCareKey, care.on ? '1' : '0')
  applyCareMode()
}
