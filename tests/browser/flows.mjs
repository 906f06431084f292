// The user journeys, in order; each gets a fresh browser context (no cookies) and its helpers.
// Demo accounts: data/demo/people.yaml (password tongban-demo); persons: data/demo/registers.

const kPassword = 'tongban-demo'

async function staffLogin(page, username) {
  await page.goto('/login')
  await page.getByRole('tab', { name: '工作人员登录' }).click()
  await page.getByLabel('账号').fill(username)
  await page.getByLabel('密码', { exact: true }).fill(kPassword)
  await page.getByRole('button', { name: '登录' }).last().click()
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

export const flows = {
  // The portal's first screen from a cold cache: navigation start to the first matters shown.
  async firstScreen({ page, expect, log, limitMs, snap }) {
    const t0 = Date.now()
    await page.goto('/portal')
    await page.getByRole('list', { name: '事项' }).getByRole('link').first().waitFor()
    const ms = Date.now() - t0
    const nav = await page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0]
      const paint = performance.getEntriesByName('first-contentful-paint')[0]
      return { dcl: Math.round(n.domContentLoadedEventEnd), fcp: paint ? Math.round(paint.startTime) : null }
    })
    log(`   first screen of /portal: ${ms} ms to the first matters (DOMContentLoaded ${nav.dcl} ms, first contentful paint ${nav.fcp} ms)`)
    expect(ms <= limitMs, `first screen took ${ms} ms, above ${limitMs} ms`)
    await snap(page, 'portal')
  },

  async careMode({ page, expect, snap }) {
    await page.goto('/portal')
    await page.getByRole('switch', { name: /关怀模式/ }).click()
    const size = await page.evaluate(() => getComputedStyle(document.body).fontSize)
    expect(size === '20px', `关怀模式 font size ${size}`)
    await snap(page, 'portal-care')
    await page.reload()
    const kept = await page.evaluate(() => document.documentElement.classList.contains('care'))
    expect(kept, '关怀模式 is not kept across a reload')
  },

  async signInPages({ page, snap }) {
    await page.goto('/login')
    await snap(page, 'login')
    await page.goto('/register')
    await snap(page, 'register')
  },

  // A person of the register signs up by real name with an SMS code and lands signed in.
  async citizenRegisters({ page, baseURL, smsCode, expect, snap }) {
    await page.goto('/register')
    await page.getByLabel('身份证号').fill('431128193001010013')
    await page.getByLabel('姓名').fill('黄芳')
    await page.getByLabel('手机号').fill('15624982361')
    await page.getByRole('button', { name: '获取验证码' }).click()
    await page.getByRole('status').filter({ hasText: '验证码已发送' }).waitFor()
    await page.getByLabel('短信验证码').fill(await smsCode(baseURL, '15624982361'))
    await page.getByLabel(/设置登录密码/).fill('huangfang-2026')
    await page.getByRole('button', { name: '注册并登录' }).click()
    await page.waitForURL('**/portal')
    await page.getByText('黄芳').first().waitFor()
    const cookies = await page.context().cookies()
    const session = cookies.find((c) => c.name === 'tb_session')
    expect(session && session.httpOnly && session.sameSite === 'Strict', 'no HttpOnly SameSite=Strict session cookie')
    const readable = await page.evaluate(() => document.cookie)
    expect(!readable.includes('tb_session'), 'the session cookie is readable by scripts')
    await snap(page, 'portal-signed-in')
  },

  async staffSignIn({ page, expect }) {
    await staffLogin(page, 'xintian.window_clerk')
    expect(new URL(page.url()).pathname === '/window', `clerk landed on ${page.url()}`)
    await page.getByRole('button', { name: '退出' }).click()
    await page.waitForURL('**/login')
  },
}

export { staffLogin }
