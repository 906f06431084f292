// Helpers of the office and administration journeys (flows-office.mjs, flows-admin.mjs).
// Demo accounts: data/demo/people.yaml, password tongban-demo.

export const kPassword = 'tongban-demo'

// Signs a staff member in through the sign-in page (cookie session) and waits to leave it.
export async function staffLogin(page, username) {
  await page.goto('/login')
  await page.getByRole('tab', { name: '工作人员登录' }).click()
  const pane = page.getByRole('tabpanel', { name: '工作人员登录' })
  await pane.getByLabel('账号').fill(username)
  await pane.getByLabel('密码').fill(kPassword)
  await pane.getByRole('button', { name: '登录' }).click()
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

export async function signOut(page) {
  await page.getByRole('button', { name: '退出' }).click()
  await page.waitForURL('**/login')
}

// The API with a bearer token, for what a journey starts from.
export async function call(baseURL, method, path, body, token) {
  const r = await fetch(`${baseURL}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await r.text()
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`)
  return text && (r.headers.get('Content-Type') || '').includes('json') ? JSON.parse(text) : text
}

export async function token(baseURL, username) {
  return (await call(baseURL, 'POST', '/api/v1/sessions', { username, password: kPassword })).token
}

// An Element Plus table by its aria-label (it draws header and body as two <table>s).
export const elTable = (page, name) => page.locator(`.el-table[aria-label="${name}"]`)
