// Journeys of the citizen's and enterprise's pages (web/src/routes/citizen.js): a case in depth
// (correction supplied, withdrawn, rated 一事一评), rating a window visit by its QR code
// (一次一评), notices, and an enterprise agent's demand followed to its callback.
// Demo accounts: data/demo/people.yaml (password tongban-demo); persons: data/demo/registers.

const kPassword = 'tongban-demo'
const kEmploymentMatter = '11431128MB17038839200113007000001' // 就业创业证申领 (新田县, instant)
// Moves the pointer off the page: a hovered primary button is lighter than AA contrast allows.
async function settle(page) {
  await page.mouse.move(0, 0)
}

const kPdf = (text) => ({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4 ${text}`) })

async function call(baseURL, method, path, body, token, headers = {}) {
  const r = await fetch(`${baseURL}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await r.text()
  const data = text ? JSON.parse(text) : null
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`)
  return data
}

async function token(baseURL, credentials) {
  return (await call(baseURL, 'POST', '/api/v1/sessions', credentials)).token
}

async function citizenLogin(page, idNumber, password = kPassword) {
  await page.goto('/login')
  await page.getByRole('tab', { name: '身份证号登录' }).click()
  const pane = page.getByRole('tabpanel', { name: '身份证号登录' })
  await pane.getByLabel('身份证号').fill(idNumber)
  await pane.getByLabel('密码').fill(password)
  await pane.getByRole('button', { name: '登录' }).click()
  await page.waitForURL('**/portal')
}

// An online 就业创业证 application of `idNumber` with the photo missing, sent back by the
// window with the one-time correction notice naming it.
async function caseAwaitingCorrection(baseURL, idNumber, key) {
  const citizen = await token(baseURL, { id_number: idNumber, password: kPassword })
  const c = await call(baseURL, 'POST', '/api/v1/cases', {
    matter: kEmploymentMatter, scenario: 'apply', channel: 'online',
    form: { employment_status: '失业' },
    materials: [
      { name: '申请人居民身份证', state: 'provided', origin: 'licence', reference: '居民身份证' },
      { name: '近期免冠照片', state: 'missing' },
    ],
  }, citizen, { 'Idempotency-Key': key })
  const clerk = await token(baseURL, { username: 'xintian.window_clerk', password: kPassword })
  await call(baseURL, 'POST', `/api/v1/cases/${c.number}/correction`, { items: ['近期免冠照片'] }, clerk)
  return { number: c.number, clerk }
}

export const flows = {
  // 邓桂英 opens her case from 我的办件, reads the correction notice in its progress, supplies the
  // photo, withdraws the case and rates it (一事一评); a second rating is refused.
  async caseInDepth({ page, baseURL, expect, snap }) {
    const { number } = await caseAwaitingCorrection(baseURL, '431128196803150214', 'browser-case-depth-1')
    await citizenLogin(page, '431128196803150214')
    await page.goto('/portal/my-cases')
    await page.getByRole('link', { name: number }).click()
    await page.getByRole('heading', { name: `办件详情 ${number}` }).waitFor()
    expect((await page.locator('.case-state').textContent()) === '待补正', 'state is not 待补正')
    await page.getByRole('list', { name: '办理进度' }).getByText('一次性补正告知', { exact: true }).waitFor()
    expect((await page.locator('.remaining').textContent()).includes('补正期间不计时'), 'the clock text during a correction')
    await snap(page, 'case-detail-correction')
    await page.getByLabel('补正 近期免冠照片').setInputFiles(kPdf('补正照片'))
    await page.getByRole('button', { name: '提交补正材料' }).click()
    await page.getByRole('status').filter({ hasText: '已提交 1 份补正材料' }).waitFor()
    const photo = page.getByRole('list', { name: '申请材料' }).getByRole('listitem').filter({ hasText: '近期免冠照片' })
    await photo.getByText('已提交').waitFor()

    await page.getByRole('button', { name: '撤回申请' }).click()
    await page.getByRole('button', { name: '确定撤回' }).click()
    await page.getByRole('status').filter({ hasText: '办件已撤回' }).waitFor()
    expect((await page.locator('.case-state').textContent()) === '已撤回', 'state is not 已撤回')
    const rating = page.getByRole('group', { name: '您对本次服务的评价' })
    await rating.getByText('满意', { exact: true }).click()
    await page.getByRole('group', { name: '评价标签' }).getByText('服务态度好').click()
    await page.getByLabel('评价内容').fill('窗口一次性告知了要补的材料')
    await settle(page)
    await snap(page, 'case-detail-rating')
    await page.getByRole('button', { name: '提交评价' }).click()
    await page.getByRole('status').filter({ hasText: '评价已提交：满意' }).waitFor()
    await page.getByText('本办件已评价').waitFor()
    const citizen = await token(baseURL, { id_number: '431128196803150214', password: kPassword })
    const again = await fetch(`${baseURL}/api/v1/cases/${number}/evaluations`, {
      method: 'POST', headers: { Authorization: `Bearer ${citizen}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ level: 'very_dissatisfied' }),
    })
    expect(again.status === 409, `a second rating answered ${again.status}`)
  },

  // 居民身份证到期换领 charges 工本费: once approved, 李志强 pays it from the case page through the
  // demo's payment platform, and the order and the progress show it paid.
  async payFee({ page, baseURL, expect, snap }) {
    const citizen = await token(baseURL, { id_number: '431128199001010379', password: kPassword })
    const c = await call(baseURL, 'POST', '/api/v1/cases', {
      matter: '11431128MB170291X1070101001000001', scenario: 'renewal', channel: 'online',
      form: { applicant_id: '431128199001010379' },
      materials: [
        { name: '原居民身份证', state: 'provided', origin: 'licence', reference: '居民身份证' },
        { name: '数字相片', state: 'proof_waived' },
      ],
    }, citizen, { 'Idempotency-Key': 'browser-pay-fee-1' })
    const security = await token(baseURL, { username: 'xintian.security_admin', password: kPassword })
    const approver = await token(baseURL, { username: 'xintian.approver', password: kPassword })
    const me = await call(baseURL, 'GET', '/api/v1/me', undefined, approver)
    await call(baseURL, 'POST', `/api/v1/accounts/${me.account.id}/roles`, { role: 'approver', scope: { region: '431128', department: '431128-gaj' } }, security)
    const clerk = await token(baseURL, { username: 'xintian.window_clerk', password: kPassword })
    await call(baseURL, 'POST', `/api/v1/cases/${c.number}/accept`, {}, clerk)
    const tasks = await call(baseURL, 'GET', '/api/v1/review-tasks?limit=500', undefined, approver)
    for (const t of tasks.items.filter((x) => x.case && x.case.number === c.number)) {
      await call(baseURL, 'POST', t.complete, { decision: 'approved' }, approver)
    }
    await citizenLogin(page, '431128199001010379')
    await page.goto(`/portal/my-cases/${c.number}`)
    const fee = page.getByRole('region', { name: '缴费' })
    await fee.getByText('待缴费').waitFor()
    await snap(page, 'case-detail-payment')
    await fee.getByRole('button', { name: '去缴费 ¥20.00' }).click()
    await page.getByRole('status').filter({ hasText: '缴费成功：¥20.00' }).waitFor()
    await fee.getByText('已缴费').waitFor()
    await page.getByRole('list', { name: '办理进度' }).getByText('已缴费', { exact: true }).waitFor()
    const order = await call(baseURL, 'GET', `/api/v1/cases/${c.number}/payment`, undefined, citizen)
    expect(order.state === 'paid' && order.transaction_id, `the order after paying: ${JSON.stringify(order)}`)
  },

  // 我的消息 lists the case notices; one is marked read.
  async notices({ page, expect, snap }) {
    await citizenLogin(page, '431128196803150214')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '我的消息' }).click()
    const list = page.getByRole('list', { name: '消息' })
    await list.getByRole('listitem').first().waitFor()
    const before = await list.getByText('未读').count()
    expect(before > 0, 'no unread notice')
    await snap(page, 'notices')
    await list.getByRole('listitem').filter({ hasText: '未读' }).first().getByRole('button', { name: '标为已读' }).click()
    await page.waitForFunction((n) => document.querySelectorAll('.case-notices .unread').length === n - 1, before)
  },

  // 免申即享: 新田县's policy officer runs 困难残疾人生活补贴 over the register and notifies the
  // persons found; 周德华 finds the notice in 我的消息 and confirms it. A policy push (政策直通车)
  // to the same persons shows beside it, with nothing to decide.
  async proactiveNotices({ page, baseURL, expect, snap }) {
    const officer = await token(baseURL, { username: 'xintian.policy_officer', password: kPassword })
    // The demo published and ran 困难残疾人生活补贴 (data/policies) and notified those it found;
    // the county adds a push of its own.
    await call(baseURL, 'POST', '/api/v1/policies', { yaml: [
      'name: assistive_devices_push', 'version: 1', 'kind: notice', 'title: 残疾人辅助器具适配政策',
      'legal_basis: 《残疾人保障法》第四十八条', "eligibility: 'status = \"alive\" and disability_certificate'",
      'region: "431128"', 'valid_from: 2026-01-01', 'channels: [portal]',
    ].join('\n') }, officer)
    const run = await call(baseURL, 'POST', '/api/v1/policies/assistive_devices_push/runs', { region: '431128' }, officer)
    await call(baseURL, 'POST', `/api/v1/runs/${run.id}/notices`, {}, officer)
    await citizenLogin(page, '432930195507020150')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '我的消息' }).click()
    const benefits = page.getByRole('list', { name: '惠民政策告知（免申即享）' })
    // The demo notified him of both subsidies; this is the one titled 困难残疾人生活补贴.
    const notice = benefits.getByRole('listitem').filter({ has: page.locator('strong', { hasText: /^困难残疾人生活补贴$/ }) })
    await notice.waitFor()
    await page.getByRole('list', { name: '政策推送' }).getByText('残疾人辅助器具适配政策').waitFor()
    await snap(page, 'policy-notices')
    await notice.getByRole('button', { name: '确认申领 困难残疾人生活补贴' }).click()
    // The grant case needs what the registers do not hold: the page asks for it, then confirms.
    await notice.getByLabel('社会保障卡金融账户').fill('6217001830000000001')
    await notice.getByLabel('残疾人证号').fill('43293019550702015043')
    await notice.getByLabel('联系电话').fill('13800000150')
    await notice.getByRole('button', { name: '确认申领 困难残疾人生活补贴' }).click()
    await page.getByRole('status').filter({ hasText: '已确认申领：困难残疾人生活补贴' }).waitFor()
    await notice.locator('.decision').getByText('已确认申领').waitFor()
    const citizen = await token(baseURL, { id_number: '432930195507020150', password: kPassword })
    const mine = await call(baseURL, 'GET', '/api/v1/me/benefit-notices', undefined, citizen)
    const decided = mine.items.find((n) => n.policy === 'disability_living_subsidy')
    expect(decided && decided.decision === 'accepted', `the decision kept: ${JSON.stringify(decided)}`)
  },

  // 一次一评: the clerk asks for a QR token for a window visit; the applicant's phone (not signed
  // in) rates it; the token cannot be used twice.
  async visitRatedByQrCode({ page, baseURL, snap }) {
    const { number, clerk } = await caseAwaitingCorrection(baseURL, '432930195507020150', 'browser-visit-qr-1')
    const visit = await call(baseURL, 'POST', '/api/v1/visits', { case: number, window: '431128-zw-01' }, clerk)
    const ask = await call(baseURL, 'POST', `/api/v1/visits/${visit.id}/evaluation-requests`, { method: 'qr_code' }, clerk)
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`/evaluate/${ask.token}`)
    await page.getByRole('heading', { name: /一次一评/ }).waitFor()
    await snap(page, 'rate-visit')
    await page.getByRole('group', { name: '您对本次服务的评价' }).getByText('非常满意', { exact: true }).click()
    await page.getByRole('button', { name: '提交评价' }).click()
    await page.getByRole('status').filter({ hasText: '评价已提交：非常满意' }).waitFor()
    await page.goto(`/evaluate/${ask.token}`)
    await page.getByRole('group', { name: '您对本次服务的评价' }).getByText('满意', { exact: true }).click()
    await page.getByRole('button', { name: '提交评价' }).click()
    await page.getByRole('alert').filter({ hasText: '评价码已使用或已过期' }).waitFor()
  },

  // 我的证照: a licence issued to the enterprise 李志强 is agent of shows with its QR code (an
  // image the API draws), the PDF downloads, and the QR code's page verifies it.
  async myLicences({ page, baseURL, expect, snap }) {
    const issuer = await token(baseURL, { username: 'xintian.certificate_issuer', password: kPassword })
    const licence = await call(baseURL, 'POST', '/api/v1/licences', {
      type_code: '11100000000013338W012', holder_id: '91431128MA4L0A019K', holder_name: '新田县富硒农产品有限公司', issuer: '431128-scjgj',
      data: { operator: '新田县富硒农产品有限公司', legal_representative: '邓桂英', address: '新田县龙泉镇富硒大道8号', main_business: '食品销售经营者', items: '预包装食品销售' },
    }, issuer)
    await citizenLogin(page, '431128199001010379')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '我的证照' }).click()
    const card = page.getByRole('list', { name: '电子证照' }).getByRole('listitem').filter({ hasText: licence.id })
    await card.getByRole('heading', { name: '食品经营许可证' }).waitFor()
    const qr = card.getByRole('img', { name: '食品经营许可证 核验二维码' })
    await qr.waitFor()
    await page.waitForFunction((id) => [...document.images].some((i) => i.src.includes(encodeURIComponent(id)) || i.src.includes(id)) && [...document.images].every((i) => i.complete && i.naturalWidth > 0), licence.id)
    await snap(page, 'my-licences')
    const href = await card.getByRole('link', { name: /下载 食品经营许可证 PDF/ }).getAttribute('href')
    const pdf = await page.request.get(href)
    expect(pdf.status() === 200 && (await pdf.body()).subarray(0, 5).toString() === '%PDF-', `the PDF answered ${pdf.status()}`)
    await card.getByRole('link', { name: '在线核验' }).click()
    await page.getByRole('status').getByText('证照有效', { exact: true }).waitFor()
  },

  // 李志强, agent of 新田县富硒农产品有限公司, files a demand for it; the demand office dispatches
  // it to the service commissioner, who answers; the callback finds the enterprise satisfied.
  async enterpriseDemand({ page, baseURL, expect, snap }) {
    await citizenLogin(page, '431128199001010379')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '企业服务' }).click()
    await page.locator('.enterprise-name').getByText('新田县富硒农产品有限公司').waitFor()
    await page.getByLabel('诉求标题').fill('厂房用电报装')
    await page.getByLabel('诉求内容').fill('新建厂房用电报装已等待一个月，希望协调加快办理')
    await page.getByRole('button', { name: '提交诉求' }).click()
    await page.getByRole('status').filter({ hasText: '诉求已提交' }).waitFor()
    const item = page.getByRole('list', { name: '企业诉求办理进度' }).getByRole('listitem').filter({ hasText: '厂房用电报装' })
    await item.getByText('已受理').waitFor()
    await settle(page)
    await snap(page, 'enterprise')

    const agent = await token(baseURL, { id_number: '431128199001010379', password: kPassword })
    const mine = await call(baseURL, 'GET', '/api/v1/demands?uscc=91431128MA4L0A019K', undefined, agent)
    const id = mine.items.find((d) => d.title === '厂房用电报装').id
    const arbiter = await token(baseURL, { username: 'xintian.demand_arbiter', password: kPassword })
    const operator = await token(baseURL, { username: 'xintian.hotline_operator', password: kPassword })
    const commissioner = await token(baseURL, { username: 'xintian.service_commissioner', password: kPassword })
    await call(baseURL, 'PUT', '/api/v1/enterprises/91431128MA4L0A019K/commissioners', { accounts: ['xintian.service_commissioner'] }, arbiter)
    await call(baseURL, 'POST', `/api/v1/demands/${id}/dispatch`, { receiver: 'commissioner' }, operator)
    await call(baseURL, 'POST', `/api/v1/demands/${id}/sign`, undefined, commissioner)
    await call(baseURL, 'POST', `/api/v1/demands/${id}/close`, { answer: '已协调供电公司，本周内完成报装' }, commissioner)
    await call(baseURL, 'POST', `/api/v1/demands/${id}/callback`, { satisfied: true, note: '满意' }, operator)

    await page.reload()
    await item.getByRole('link', { name: '厂房用电报装' }).click()
    await page.getByRole('heading', { name: '诉求详情' }).waitFor()
    expect((await page.locator('.demand-state').textContent()) === '已完结', 'the demand is not 已完结')
    expect((await page.locator('.callback').textContent()) === '满意', 'the callback is not shown')
    const steps = page.getByRole('list', { name: '办理过程' })
    for (const s of ['受理', '派单', '签收', '办结', '回访']) await steps.getByText(s, { exact: true }).waitFor()
    await snap(page, 'enterprise-demand')

    // Applying for the enterprise: the apply page carries the enterprise as the applicant.
    await page.goto('/portal/enterprise')
    await page.getByLabel('查找事项').fill('就业创业证')
    await page.getByRole('button', { name: '查找', exact: true }).click()
    await page.getByRole('link', { name: /为本企业申请/ }).first().waitFor()
  },
}
