// The kiosk (自助终端, web/src/routes/kiosk.js): 邓桂英 signs in with an SMS code, her ID card is
// read on the terminal's simulated reader, she applies for her enterprise's 公共场所卫生许可 (an
// instant matter) with the form pre-filled and the commitments signed (the drawn signature stored
// with the case, shown on the staff's case file); the system decides it (秒批:
// accepted, approved and concluded, no staff) and the conclusion issues the licence from the
// form at once, and she prints it (its PDF), she rates the visit, and the kiosk, left idle, returns to its start screen
// signed out.

import { staffLogin } from './lib-office.mjs'

const kPassword = 'tongban-demo'
const kTerminal = '431128-kiosk-01'
const kUscc = '91431128MA4L0A019K' // 新田县富硒农产品有限公司, 邓桂英 its legal representative

async function call(baseURL, method, path, body, token) {
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
  return text ? JSON.parse(text) : null
}

const login = async (baseURL, credentials) => (await call(baseURL, 'POST', '/api/v1/sessions', credentials)).token
const staff = (baseURL, username) => login(baseURL, { username, password: kPassword })

// The enterprise's 营业执照 (the form's address comes from it), and 卫健局's rights for the demo's
// approver and certificate issuer (their own grants are for 人社局 and 市场监管局).
async function prepare(baseURL) {
  const issuer = await staff(baseURL, 'xintian.certificate_issuer')
  await call(baseURL, 'POST', '/api/v1/licences', {
    type_code: '11100000000013338W011', holder_id: kUscc, holder_name: '新田县富硒农产品有限公司', issuer: '431128-scjgj',
    data: { name: '新田县富硒农产品有限公司', kind: '有限责任公司', legal_representative: '邓桂英', established: '2018-05-04', address: '新田县龙泉镇富硒大道8号', scope: '农产品销售' },
  }, issuer)
  const security = await staff(baseURL, 'xintian.security_admin')
  const approver = await staff(baseURL, 'xintian.approver')
  for (const [token, role] of [[issuer, 'certificate_issuer'], [approver, 'approver']]) {
    const me = await call(baseURL, 'GET', '/api/v1/me', undefined, token)
    await call(baseURL, 'POST', `/api/v1/accounts/${me.account.id}/roles`, { role, scope: { region: '431128', department: '431128-wjj' } }, security)
  }
  return { issuer, approver }
}

export const flows = {
  async kioskInstantLicence({ page, baseURL, smsCode, expect, snap }) {
    const rights = await prepare(baseURL)
    await call(baseURL, 'PUT', `/api/v1/dev/id-card-readers/${kTerminal}`, { id_number: '431128196803150214', name: '邓桂英', address: '新田县龙泉镇' })
    await page.clock.install()
    await page.goto(`/kiosk?terminal=${kTerminal}`)
    const start = page.getByRole('button', { name: '开始办事' })
    const box = await start.boundingBox()
    expect(box.height >= 48 && box.width >= 48, `start button ${box.width}x${box.height}`)
    await snap(page, 'kiosk-start')
    await start.click()
    await page.getByLabel('手机号').fill('13800000001')
    await page.getByRole('button', { name: '获取验证码' }).click()
    await page.getByRole('status').filter({ hasText: '验证码已发送' }).waitFor()
    await page.getByLabel('短信验证码').fill(await smsCode(baseURL, '13800000001'))
    await page.getByRole('button', { name: '登录' }).click()
    await page.getByRole('heading', { name: '人证核验' }).waitFor()
    await snap(page, 'kiosk-card')
    await page.getByRole('button', { name: '读取身份证' }).click()
    await page.getByText('核验通过：邓桂英').waitFor()
    await page.getByLabel('我要办').fill('公共场所卫生许可')
    await page.getByRole('button', { name: '搜索' }).click()
    await page.getByRole('list', { name: '搜索结果' }).getByRole('button', { name: /公共场所卫生许可/ }).first().click()
    await page.getByRole('button', { name: '新田县富硒农产品有限公司' }).click()
    await page.getByRole('button', { name: /^新办/ }).click()
    await page.getByRole('heading', { name: /填写申请表/ }).waitFor()
    expect((await page.getByLabel(/场所名称/).inputValue()) === '新田县富硒农产品有限公司', 'the venue name is not pre-filled')
    await page.getByLabel('场所类别').selectOption('宾馆')
    await page.getByLabel(/营业面积/).fill('120.5')
    await page.getByLabel(/从业人员数/).fill('6')
    await page.getByRole('group', { name: '是否使用集中空调通风系统' }).getByLabel('否', { exact: true }).check()
    await page.getByRole('group', { name: '经营场所是否为自有产权' }).getByLabel('是', { exact: true }).check()
    await page.getByRole('group', { name: '是否委托他人办理' }).getByLabel('否', { exact: true }).check()
    await snap(page, 'kiosk-form')
    await page.getByRole('button', { name: '下一步' }).click()
    await page.getByRole('heading', { name: '告知承诺' }).waitFor()
    // 授权用证: the e-licences standing in for paper are fetched only with consent (the
    // representative's own 居民身份证 among them: she applies herself).
    await page.getByText(/从电子证照库调用.*营业执照.*居民身份证.*不动产权证书.*从业人员健康合格证明/).waitFor()
    await page.getByLabel(/授权调用本企业及本人的电子证照/).check()
    await page.getByLabel(/本人承诺/).check()
    const pad = await page.locator('canvas').boundingBox()
    await page.mouse.move(pad.x + 40, pad.y + 100)
    await page.mouse.down()
    await page.mouse.move(pad.x + 200, pad.y + 60, { steps: 5 })
    await page.mouse.move(pad.x + 320, pad.y + 120, { steps: 5 })
    await page.mouse.up()
    await snap(page, 'kiosk-sign')
    await page.getByRole('button', { name: '确认并提交' }).click()
    await page.getByRole('heading', { name: '申请已提交' }).waitFor()
    const number = (await page.locator('.k-number').textContent()).trim()
    await page.getByRole('status').filter({ hasText: '手写签名已随办件保存' }).waitFor()

    // 秒批: the system accepted, approved and concluded it; the licence is there at once.
    await page.getByText('智能审批已办结，证照当场签发').waitFor()
    await page.getByRole('status').filter({ hasText: '证照已签发' }).waitFor()
    const done = await call(baseURL, 'GET', `/api/v1/cases/${number}`, undefined, rights.approver)
    expect(done.state === 'concluded', `the case is ${done.state}`)
    const opened = page.waitForEvent('popup')
    await page.getByRole('button', { name: '打印 公共场所卫生许可证' }).click()
    const printed = await opened
    const src = printed.url()
    await printed.close()
    await page.getByRole('status').filter({ hasText: '正在打印：公共场所卫生许可证' }).waitFor()
    expect(/\/api\/v1\/licences\/.+\/pdf$/.test(src), `printed ${src}`)
    const pdf = await page.request.get(src)
    expect(pdf.status() === 200 && (await pdf.body()).subarray(0, 5).toString() === '%PDF-', `printing ${src}: ${pdf.status()}`)
    await page.getByRole('group', { name: '请为本次服务评价' }).getByRole('button', { name: '非常满意' }).click()
    await page.getByRole('status').filter({ hasText: '感谢您的评价' }).waitFor()
    await snap(page, 'kiosk-done')

    // Left idle, the kiosk signs out and shows the start screen again.
    await page.clock.fastForward(121_000)
    await page.getByRole('button', { name: '开始办事' }).waitFor()
    const me = await page.request.get('/api/v1/me')
    expect(me.status() === 401, `after the idle timeout /me answered ${me.status()}`)

    // The staff's case file shows the drawn signature, stored once with the case.
    await staffLogin(page, 'xintian.window_clerk')
    await page.goto(`/office/cases/${number}`)
    const signature = page.getByRole('img', { name: '申请人的手写承诺签名' })
    await signature.waitFor()
    await page.waitForFunction((n) => { const i = document.querySelector('.commitment-signature img'); return i && i.complete && i.naturalWidth > 0 }, number)
    const png = await page.request.get(`/api/v1/cases/${number}/commitment-signature`)
    const bytes = await png.body()
    expect(png.status() === 200 && bytes.subarray(1, 4).toString() === 'PNG', `the signature answered ${png.status()}`)
    await snap(page, 'kiosk-case-file-signature')
  },
}
