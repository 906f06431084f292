// The user journeys, in order; each gets a fresh browser context (no cookies) and its helpers.
// Demo accounts: data/demo/people.yaml (password tongban-demo); persons: data/demo/registers.

const kPassword = 'tongban-demo'

async function staffLogin(page, username) {
  await page.goto('/login')
  await page.getByRole('tab', { name: '工作人员登录' }).click()
  const pane = page.getByRole('tabpanel', { name: '工作人员登录' })
  await pane.getByLabel('账号').fill(username)
  await pane.getByLabel('密码').fill(kPassword)
  await pane.getByRole('button', { name: '登录' }).click()
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

// The API, for setting up what a journey starts from (bearer tokens: no cookies involved).
async function call(baseURL, method, path, body, token, headers = {}) {
  const r = await fetch(`${baseURL}${path}`, {
    method,
    headers: {
      ...(body !== undefined && typeof body !== 'string' ? { 'Content-Type': 'application/json' } : {}),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await r.text()
  const data = text ? JSON.parse(text) : null
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`)
  return data
}

async function token(baseURL, credentials) {
  return (await call(baseURL, 'POST', '/api/v1/sessions', credentials)).token
}

const kJointMatter = '11430204MB1745792Y000114010000001' // 占用、挖掘城市道路审批: joint_review
const kJointDepartments = ['430204-zjj', '430204-zrzyj', '430204-scjgj']

// A 并联审批 case under review in three departments of 石峰区, and an approver in each
// (created by the locality's system and security administrators, 三员分立).
async function jointCase(baseURL) {
  const sys = await token(baseURL, { username: 'shifeng.system_admin', password: kPassword })
  const sec = await token(baseURL, { username: 'shifeng.security_admin', password: kPassword })
  const approvers = []
  for (const department of kJointDepartments) {
    const username = `shifeng.approver.${department.split('-')[1]}`
    const account = await call(baseURL, 'POST', '/api/v1/accounts', {
      username, name: `审批员${department.split('-')[1]}`, password: 'approver-2026', region: '430204', department,
    }, sys)
    await call(baseURL, 'POST', `/api/v1/accounts/${account.id}/roles`, {
      role: 'approver', scope: { region: '430204', department },
    }, sec)
    approvers.push(username)
  }
  const citizen = await token(baseURL, { id_number: '430204198805120310', password: kPassword })
  const c = await call(baseURL, 'POST', '/api/v1/cases', {
    matter: kJointMatter, scenario: 'new', channel: 'online',
    form: { road_name: '响石路', area_m2: 12, start_date: '2026-12-10', end_date: '2026-12-12', purpose: '供水报装' },
    materials: [
      { name: '营业执照', state: 'provided', origin: 'licence', reference: '营业执照' },
      { name: '占用、挖掘城市道路申请表', state: 'proof_waived' },
      { name: '道路恢复和安全文明施工承诺书', state: 'proof_waived' },
      { name: '施工方案及交通组织方案', state: 'missing' },
    ],
  }, citizen, { 'Idempotency-Key': 'browser-joint-1' })
  const plan = c.materials.find((m) => m.name.startsWith('施工方案'))
  await call(baseURL, 'PUT', `/api/v1/cases/${c.number}/materials/${plan.index}?file_name=plan.pdf`, '%PDF-1.4 施工方案', citizen)
  const clerk = await token(baseURL, { username: 'shifeng.window_clerk', password: kPassword })
  await call(baseURL, 'POST', `/api/v1/cases/${c.number}/accept`, {}, clerk)
  return { number: c.number, approvers, clerk }
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
    await page.getByRole('button', { name: '关怀模式' }).click()
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

  // 黄芳 (registered by the journey above) searches, reads the guide, applies with the
  // pre-filled form, uploads the photo and tracks the case in 我的办件.
  async citizenAppliesAndTracks({ page, expect, snap }) {
    await page.goto('/login')
    await page.getByRole('tab', { name: '身份证号登录' }).click()
    const pane = page.getByRole('tabpanel', { name: '身份证号登录' })
    await pane.getByLabel('身份证号').fill('431128193001010013')
    await pane.getByLabel('密码').fill('huangfang-2026')
    await pane.getByRole('button', { name: '登录' }).click()
    await page.waitForURL('**/portal')
    await page.getByLabel('我要办').fill('就业创业证')
    await page.getByRole('button', { name: '搜索' }).click()
    await page.getByRole('link', { name: '就业创业证申领' }).first().click()
    await page.getByRole('heading', { name: '就业创业证申领' }).waitFor()
    await page.getByText('《中华人民共和国就业促进法》第二十五条').waitFor()
    await snap(page, 'guide')
    await page.getByRole('link', { name: /在线申请/ }).click()
    await page.getByText('办理情形：').waitFor()
    const checklist = page.getByRole('list', { name: '材料清单' })
    await checklist.getByRole('listitem').filter({ hasText: '申请人居民身份证' }).getByText('电子证照调用（免提交）').waitFor()
    await checklist.getByRole('listitem').filter({ hasText: '近期免冠照片' }).getByText('材料库复用（首次需上传）').waitFor()
    await page.getByRole('combobox', { name: '就业状态' }).click({ force: true })
    await page.getByRole('option', { name: '失业' }).click()
    await page.getByLabel('上传 近期免冠照片').setInputFiles({
      name: 'photo.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 免冠照片'),
    })
    // 授权用证: her e-licences are fetched only with her consent (she holds no 居民身份证 e-licence,
    // so the clerk will ask for it).
    await page.getByLabel(/授权调用本人的电子证照（居民身份证/).check()
    await snap(page, 'apply')
    await page.getByRole('button', { name: '提交申请' }).click()
    await page.waitForURL('**/portal/my-cases**')
    const banner = await page.getByRole('status').filter({ hasText: '申请已提交' }).textContent()
    const number = banner.match(/[0-9]{6}-[0-9]{8}-[0-9]{6}/)[0]
    const card = page.getByRole('listitem').filter({ hasText: number })
    await card.getByText('已提交').waitFor()
    await card.getByRole('list', { name: `${number} 办理进度` }).getByText('申请').waitFor()
    await snap(page, 'my-cases')
  },

  // 智能导办 of 公共场所卫生许可: two answers select the 补办 scenario and its checklist.
  async guidedQuestions({ page, expect, snap }) {
    await page.goto('/portal?q=公共场所卫生许可&region=431128')
    await page.getByRole('link', { name: '公共场所卫生许可' }).first().click()
    await page.getByRole('link', { name: /在线申请/ }).click()
    await page.waitForURL('**/login**') // applying needs a sign-in, then comes back
    await page.getByRole('tab', { name: '身份证号登录' }).click()
    const pane = page.getByRole('tabpanel', { name: '身份证号登录' })
    await pane.getByLabel('身份证号').fill('431128196803150214')
    await pane.getByLabel('密码').fill(kPassword)
    await pane.getByRole('button', { name: '登录' }).click()
    await page.waitForURL('**/apply')
    const question = page.getByRole('group', { name: /智能导办/ })
    await question.getByText('您的场所要办理哪项卫生许可业务？').waitFor()
    await snap(page, 'guided-questions')
    await question.getByText('许可证丢了或损坏了', { exact: true }).click()
    await page.getByRole('button', { name: '下一步' }).click()
    await question.getByText('丢失或损坏的许可证是否还在有效期内？').waitFor()
    await question.getByText('在有效期内', { exact: true }).click()
    await page.getByRole('button', { name: '下一步' }).click()
    await page.getByText('办理情形：').waitFor()
    const scenario = await page.locator('p', { hasText: '办理情形：' }).locator('strong').textContent()
    expect(scenario.includes('补'), `scenario after the answers: ${scenario}`)
    await snap(page, 'guided-checklist')
  },

  // A window clerk of 新田县 applies for 邓桂英 at the window and accepts the application.
  async clerkAcceptsWindowApplication({ page, baseURL, expect, snap }) {
    await staffLogin(page, 'xintian.window_clerk')
    await page.waitForURL('**/window')
    await page.getByRole('button', { name: '读取身份证' }).click()
    await page.getByRole('alert').filter({ hasText: '读卡器上没有身份证' }).waitFor()
    await page.getByLabel('身份证号').fill('431128196803150214')
    await page.getByRole('button', { name: '查找申请人' }).click()
    await page.getByText('人口库：邓桂英').waitFor()
    await page.getByLabel('事项', { exact: true }).fill('就业创业证')
    await page.getByRole('button', { name: '查找', exact: true }).click()
    await page.getByRole('button', { name: /就业创业证申领/ }).first().click()
    await page.getByRole('combobox', { name: '就业状态' }).click({ force: true })
    await page.getByRole('option', { name: '灵活就业' }).click()
    await page.getByLabel('扫描件 近期免冠照片').setInputFiles({
      name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 窗口扫描'),
    })
    // 邓桂英 authorises the use of her e-licences in person: her 居民身份证 is fetched, not copied.
    await page.getByLabel(/申请人已授权调用其电子证照（居民身份证/).check()
    await snap(page, 'window')
    await page.getByRole('button', { name: '提交申请' }).click()
    const status = page.getByRole('status').filter({ hasText: '已代为申请' })
    await status.waitFor()
    const number = (await status.textContent()).match(/[0-9]{6}-[0-9]{8}-[0-9]{6}/)[0]
    const sources = await call(baseURL, 'GET', `/api/v1/cases/${number}/sources`, undefined, await token(baseURL, { username: 'xintian.window_clerk', password: kPassword }))
    const idCard = sources.materials.find((m) => m.name === '申请人居民身份证')
    expect(idCard && idCard.source === 'licence' && idCard.reference, `申请人居民身份证: ${JSON.stringify(idCard)}`)
    await page.getByRole('list', { name: '待受理办件' }).getByRole('button', { name: number }).click()
    await page.getByRole('button', { name: '受理', exact: true }).click()
    await page.getByRole('status').filter({ hasText: `${number}：已受理` }).waitFor()
    const state = await page.locator('.case-state').first().textContent()
    expect(state !== '已提交', `state after acceptance: ${state}`)

    // An online application with a material missing gets the one-time correction notice.
    const queue = page.getByRole('list', { name: '待受理办件' })
    const submitted = queue.getByRole('listitem').filter({ hasText: '已提交' }).first()
    const other = (await submitted.getByRole('button').textContent()).trim()
    await submitted.getByRole('button').click()
    await page.getByRole('heading', { name: new RegExp(other) }).waitFor()
    const missing = await page.getByRole('list', { name: '材料核验' }).getByRole('listitem').first().locator('.name').textContent()
    await page.getByLabel('需补正的材料（用顿号分隔）').fill(missing)
    await page.getByRole('button', { name: '一次性补正告知' }).click()
    await page.getByRole('status').filter({ hasText: `${other}：已出具一次性补正告知书` }).waitFor()
    await page.getByRole('heading', { name: new RegExp(other) }).getByText('待补正').waitFor()
  },

  // 并联审批: the three departments' approvers each approve in their inbox; the case is approved.
  async approversDecideParallelApproval({ page, context, baseURL, expect, snap }) {
    const { number, approvers, clerk } = await jointCase(baseURL)
    for (const [i, username] of approvers.entries()) {
      await context.clearCookies()
      await page.goto('/login')
      await page.getByRole('tab', { name: '工作人员登录' }).click()
      const pane = page.getByRole('tabpanel', { name: '工作人员登录' })
      await pane.getByLabel('账号').fill(username)
      await pane.getByLabel('密码').fill('approver-2026')
      await pane.getByRole('button', { name: '登录' }).click()
      await page.waitForURL('**/office/inbox')
      if (i === 0) {
        // The due time is coloured: due 2026-12-11, two weeks off, so green ("… 前").
        const row = page.getByRole('row').filter({ hasText: number })
        const due = await row.locator('.due-ok, .due-soon, .due-overdue').getAttribute('class')
        expect(due === 'due-ok', `due-time colour of a task two weeks off: ${due}`)
        await snap(page, 'inbox')
      }
      await page.getByRole('link', { name: number }).click()
      await page.getByRole('heading', { name: /部门并联审批/ }).waitFor()
      if (i === 0) await snap(page, 'inbox-case-file')
      await page.getByRole('button', { name: '提交审批意见' }).click()
      await page.getByRole('status').filter({ hasText: '已提交' }).waitFor()
    }
    const c = await call(baseURL, 'GET', `/api/v1/cases/${number}`, undefined, clerk)
    expect(c.state === 'approved' || c.state === 'concluded', `joint case ${number} is ${c.state}`)
  },

  // 电子证照核验: a licence just issued is valid; an unknown number is not (public, no sign-in).
  async licenceVerification({ page, baseURL, snap }) {
    const issuer = await token(baseURL, { username: 'xintian.certificate_issuer', password: kPassword })
    const licence = await call(baseURL, 'POST', '/api/v1/licences', {
      type_code: '11100000000013338W011', holder_id: '91431128MB1711648A', holder_name: '新田县自来水有限公司',
      issuer: '431128-scjgj',
      data: { name: '新田县自来水有限公司', kind: '有限责任公司', legal_representative: '张三', established: '2010-05-04', address: '新田县龙泉镇', scope: '自来水生产与供应' },
    }, issuer)
    await page.goto(`/licences/${encodeURIComponent(licence.id)}`)
    await page.getByRole('status').getByText('证照有效', { exact: true }).waitFor()
    await snap(page, 'licence-verification')
    await page.goto('/licences/no-such-licence')
    await page.getByRole('status').getByText('证照无效', { exact: true }).waitFor()
  },

  async staffSignIn({ page, expect }) {
    await staffLogin(page, 'xintian.window_clerk')
    expect(new URL(page.url()).pathname === '/window', `clerk landed on ${page.url()}`)
    await page.getByRole('button', { name: '退出' }).click()
    await page.waitForURL('**/login')
  },
}

export { staffLogin }
