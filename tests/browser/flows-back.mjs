// The back office beyond the review inbox (pages/back/ and the case file's actions): suspension,
// resumption and extension of a case; the certificate-request inbox answered and the issued
// certificate revoked; a workflow incident retried; the verification and 容缺 inboxes. Demo
// accounts of 新田县 (431128).
import { call, elTable, signOut, staffLogin, token } from './lib-office.mjs'

// A process whose gateway needs `ok`: started without it, the instance has an incident.
const kBrokenProcess = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:process id="back_incident" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
    <bpmn:exclusiveGateway id="check"/>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="work">
      <bpmn:conditionExpression>=ok = true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:userTask id="work">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="process_admin"/></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>`

export const flows = {
  // An approver suspends a case for an expert review and resumes it; the department head
  // extends it by 10 working days with reasons; each notice is among the case's documents.
  async caseSuspendResumeExtend({ page, baseURL, expect, snap }) {
    const approver = await token(baseURL, 'xintian.approver')
    const found = await call(baseURL, 'GET', '/api/v1/cases?state=under_review&department=431128-rsj&limit=50', undefined, approver)
    let kase = null
    for (const c of found.items) {
      const full = await call(baseURL, 'GET', `/api/v1/cases/${c.number}`, undefined, approver)
      if (!full.clock.extension_days && !full.clock.suspended) {
        kase = full
        break
      }
    }
    expect(kase, 'an under_review case of 人社局 without an extension')
    await staffLogin(page, 'xintian.approver')
    await page.goto(`/office/cases/${kase.number}`)
    const suspend = page.getByRole('group', { name: /中止办理时限/ })
    await suspend.waitFor()
    await snap(page, 'back-case-actions')
    await suspend.getByLabel('中止事由').selectOption('expert_review')
    await suspend.getByLabel('预计所需天数').fill('5')
    await suspend.getByLabel('说明').fill('需组织专家评审')
    await suspend.getByRole('button', { name: '中止' }).click()
    await page.getByRole('status').filter({ hasText: '已中止办理时限' }).waitFor()
    await page.locator('.case-state').filter({ hasText: '已中止' }).waitFor()
    await page.getByText('中止原因：专家评审').waitFor()
    const resume = page.getByRole('group', { name: '恢复办理' })
    await resume.getByRole('button', { name: '恢复' }).click()
    await page.getByRole('status').filter({ hasText: '已恢复办理' }).waitFor()
    await page.locator('.case-state').filter({ hasText: '审查中' }).waitFor()
    // An approver may not extend (case.extend is the department head's).
    expect((await page.getByRole('group', { name: /延长审查期限/ }).count()) === 0, 'no extension form for an approver')
    await signOut(page)

    await staffLogin(page, 'xintian.department_head')
    await page.goto(`/office/cases/${kase.number}`)
    const extend = page.getByRole('group', { name: /延长审查期限/ })
    await extend.getByRole('button', { name: '延期' }).click()
    // The reasons are required: the browser refuses the empty form, nothing is sent.
    expect((await page.getByRole('status').filter({ hasText: '已延长' }).count()) === 0, 'empty reasons not sent')
    await extend.getByLabel(/延期理由/).fill('需现场核查申请人居住情况')
    await extend.getByRole('button', { name: '延期' }).click()
    await page.getByRole('status').filter({ hasText: '已延长 10 个工作日' }).waitFor()
    await page.getByText('已延期 10 个工作日').waitFor()
    const after = await call(baseURL, 'GET', `/api/v1/cases/${kase.number}`, undefined, approver)
    expect(after.clock.extension_days === 10, `extension days: ${after.clock.extension_days}`)
    expect(after.state === 'under_review', `state: ${after.state}`)
    // A second extension is refused by the API (once per case): the form is gone.
    expect((await extend.count()) === 0, 'no second extension offered')
  },

  // 在线开具: the 民政局's certificate issuer answers the demo's 最低生活保障对象证明 request
  // (a required field missing is refused by the API, named); the certificate lands in the case;
  // then it is revoked with a reason and the public verification says so.
  async certificateRequestAnsweredAndRevoked({ page, baseURL, expect, snap }) {
    await staffLogin(page, 'xintian.certificate_issuer')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '证明开具' }).click()
    await page.waitForURL('**/office/certificate-requests')
    await page.getByLabel('开具部门').selectOption('431128-mzj')
    await page.getByRole('button', { name: '查询' }).click()
    const table = elTable(page, '证明开具申请')
    // 周德华's: the demo's proactive grant cases of 困难残疾人生活补贴 ask for the same certificate.
    const row = table.locator('.el-table__row').filter({ hasText: '最低生活保障对象证明' }).filter({ hasText: '周德华' }).first()
    await row.waitFor()
    const caseNumber = (await row.getByRole('link').textContent()).trim()
    await snap(page, 'back-certificate-requests')
    await row.getByRole('button', { name: '办理' }).click()
    const form = page.getByRole('group', { name: /开具最低生活保障对象证明/ })
    await form.getByLabel(/户主姓名/).fill('周德华')
    await form.getByLabel(/纳入低保日期/).fill('2025-03-01')
    await form.getByLabel(/保障人数/).fill('3')
    await form.getByRole('button', { name: '开具电子证明' }).click()
    await page.getByRole('status').filter({ hasText: '已开具：最低生活保障对象证明' }).waitFor()
    expect((await table.locator('.el-table__row').filter({ hasText: caseNumber }).count()) === 0, 'answered request left the inbox')

    const issuer = await token(baseURL, 'xintian.certificate_issuer')
    const kase = await call(baseURL, 'GET', `/api/v1/cases/${caseNumber}`, undefined, issuer)
    const material = kase.materials.find((m) => m.name === '最低生活保障对象证明')
    expect(material && material.origin === 'licence' && material.reference, `material: ${JSON.stringify(material)}`)
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '证照管理' }).click()
    await page.getByLabel('证照编号').fill(material.reference)
    await page.getByRole('button', { name: '查找' }).click()
    await page.locator('.licence-state').filter({ hasText: '有效' }).waitFor()
    await snap(page, 'back-licence')
    const revoke = page.getByRole('group', { name: '注销证照' })
    await revoke.getByLabel('注销原因').fill('申请人家庭收入已超过低保标准')
    await revoke.getByRole('button', { name: '注销' }).click()
    await page.getByRole('status').filter({ hasText: '证照已注销' }).waitFor()
    await page.locator('.licence-state').filter({ hasText: '已注销' }).waitFor()
    const v = await call(baseURL, 'GET', `/api/v1/licences/${material.reference}/verification`)
    expect(v.valid === false && v.status === 'revoked', `verification: ${JSON.stringify(v)}`)
  },

  // A process instance stuck at a gateway (no `ok`): the process administrator sees the
  // incident, retries with a variable that is not JSON (refused on the page), then with the fix.
  async workflowIncidentRetried({ page, baseURL, expect, snap }) {
    const admin = await token(baseURL, 'xintian.process_admin')
    const r = await fetch(`${baseURL}/api/v1/processes`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/xml', Authorization: `Bearer ${admin}` },
      body: kBrokenProcess,
    })
    expect(r.ok, `deploy: ${r.status} ${await r.text()}`)
    const instance = await call(baseURL, 'POST', '/api/v1/processes/back_incident/instances', { variables: {} }, admin)
    expect(instance.status === 'incident', `instance status: ${instance.status}`)
    await staffLogin(page, 'xintian.process_admin')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '流程异常' }).click()
    await page.waitForURL('**/office/incidents')
    const row = elTable(page, '流程异常').locator('.el-table__row').filter({ hasText: instance.id })
    await row.waitFor()
    await snap(page, 'back-incidents')
    await row.getByRole('button', { name: '处理' }).click()
    const form = page.getByRole('group', { name: '重试 check' })
    await form.getByLabel(/流程变量/).fill('ok = true')
    await form.getByRole('button', { name: '重试' }).click()
    await page.getByRole('alert').filter({ hasText: '流程变量' }).waitFor()
    await form.getByLabel(/流程变量/).fill('{"ok": true}')
    await form.getByRole('button', { name: '重试' }).click()
    await page.getByRole('status').filter({ hasText: '已重试：check' }).waitFor()
    expect((await elTable(page, '流程异常').locator('.el-table__row').filter({ hasText: instance.id }).count()) === 0, 'incident gone')
    const after = await call(baseURL, 'GET', `/api/v1/instances/${instance.id}`, undefined, admin)
    expect(after.status !== 'incident', `instance after retry: ${after.status}`)
  },

  // The verification and 容缺 inboxes list what the API lists (checked by axe at both widths).
  async verificationAndGapInboxes({ page, baseURL, expect, snap }) {
    await staffLogin(page, 'xintian.approver')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '承诺核查' }).click()
    await page.waitForURL('**/office/verifications')
    const approver = await token(baseURL, 'xintian.approver')
    const open = await call(baseURL, 'GET', '/api/v1/verifications', undefined, approver)
    await page.getByRole('status').filter({ hasText: `待核查 ${open.items.length} 件` }).waitFor()
    await snap(page, 'back-verifications')
    await signOut(page)
    await staffLogin(page, 'xintian.supervisor')
    await page.goto('/office/gaps')
    await page.getByLabel('截至日期').fill('2027-03-01')
    await page.getByRole('button', { name: '查询' }).click()
    const supervisor = await token(baseURL, 'xintian.supervisor')
    const gaps = await call(baseURL, 'GET', '/api/v1/supervision/overdue-gaps?as_of=2027-03-01', undefined, supervisor)
    await page.getByRole('status').filter({ hasText: `逾期未补 ${gaps.items.length} 件` }).waitFor()
    await snap(page, 'back-gaps')
  },

  // A hotline demand dispatched to 人社局 (API): the arbiter reminds (催办) the order and is
  // told it cannot be supervised before its limit; the department head signs it and asks for 5
  // more working days; the arbiter approves, and the order's limit moves by 5 working days.
  async demandReminderAndExtension({ page, baseURL, expect, snap }) {
    const operator = await token(baseURL, 'xintian.hotline_operator')
    const created = await call(baseURL, 'POST', '/api/v1/demands', {
      channel: 'hotline', class: 'help', urgency: 'ordinary', region: '431128',
      title: '灵活就业社保补贴咨询', text: '灵活就业人员社保补贴如何申领', caller_name: '陈先生', caller_phone: '13800000000',
    }, operator)
    const id = created.id || (created.demand && created.demand.id)
    const arbiterToken = await token(baseURL, 'xintian.demand_arbiter')
    await call(baseURL, 'POST', `/api/v1/demands/${id}/dispatch`, { receiver: 'department', department: '431128-rsj', note: '人社局办理' }, arbiterToken)
    const before = (await call(baseURL, 'GET', `/api/v1/demands/${id}`, undefined, arbiterToken)).orders[0].due

    await staffLogin(page, 'xintian.demand_arbiter')
    await page.goto(`/office/demands/${id}`)
    await page.getByText('暂不可督办').waitFor()
    expect((await page.getByRole('group', { name: /督办/ }).count()) === 0, 'no supervision before the limit')
    await page.getByLabel('催办说明').fill('请今日内签收')
    await page.getByRole('button', { name: '催办' }).click()
    await page.getByRole('status').filter({ hasText: '已催办' }).waitFor()
    await page.getByText('催办 1 次').waitFor()
    await snap(page, 'back-demand-remind')
    await signOut(page)

    await staffLogin(page, 'xintian.department_head')
    await page.goto(`/office/demands/${id}`)
    await page.getByRole('button', { name: '签收' }).click()
    await page.getByRole('status').filter({ hasText: '已签收' }).waitFor()
    const ask = page.getByRole('group', { name: '申请延期' })
    await ask.getByLabel(/延长工作日数/).fill('5')
    await ask.getByLabel('延期理由').fill('需调取社保缴费记录')
    await ask.getByRole('button', { name: '申请延期' }).click()
    await page.getByRole('status').filter({ hasText: '已申请延期' }).waitFor()
    await page.getByText('5 个工作日 · 待审批').waitFor()
    expect((await page.getByRole('group', { name: '申请延期' }).count()) === 0, 'one extension request per order')
    await signOut(page)

    await staffLogin(page, 'xintian.demand_arbiter')
    await page.goto(`/office/demands/${id}`)
    const decide = page.getByRole('group', { name: '延期审批' })
    await decide.getByText('需调取社保缴费记录').waitFor()
    await decide.getByLabel('审批意见').selectOption('true')
    await decide.getByRole('button', { name: '提交延期审批' }).click()
    await page.getByRole('status').filter({ hasText: '已同意延期' }).waitFor()
    await page.getByText('5 个工作日 · 已同意').waitFor()
    const after = (await call(baseURL, 'GET', `/api/v1/demands/${id}`, undefined, arbiterToken)).orders[0]
    expect(after.extension.state === 'approved' && after.reminders === 1, `order: ${JSON.stringify(after)}`)
    expect(new Date(after.due) - new Date(before) >= 5 * 24 * 3600 * 1000, `due ${before} -> ${after.due}`)
  },

  // The dashboard's drill-down: a department's row of the chart's table opens the list of its
  // cases (as many as the chart counts), and a case of it its file; the staff assessment panel
  // scores 人社局.
  async dashboardDrillDown({ page, expect, snap }) {
    await staffLogin(page, 'xintian.supervisor')
    await page.goto('/office/dashboard')
    const assessment = elTable(page, '绩效考核')
    const scored = assessment.locator('.el-table__row').filter({ hasText: '新田县人力资源和社会保障局' })
    await scored.waitFor()
    const score = await scored.locator('td').nth(1).textContent()
    expect(Number(score) > 0, `assessment score of 人社局: ${score}`)
    await page.getByText('各部门办件与按时办结：数据表').click()
    const row = page.getByRole('table', { name: '各部门办件与按时办结' }).getByRole('row').filter({ hasText: '新田县人力资源和社会保障局' })
    const applications = Number(await row.getByRole('cell').nth(1).textContent())
    await row.getByRole('link', { name: '新田县人力资源和社会保障局' }).click()
    await page.waitForURL(/\/office\/cases\?.*department=431128-rsj/)
    await page.getByRole('status').filter({ hasText: /已列出 \d+ 件/ }).waitFor()
    const listed = elTable(page, '办件').locator('.el-table__row')
    await listed.first().waitFor()
    const count = await listed.count()
    expect(count === Math.min(applications, 50), `cases listed ${count}, the chart counts ${applications}`)
    expect((await listed.filter({ hasNotText: '新田县人力资源和社会保障局' }).count()) === 0, 'only 人社局 cases')
    await snap(page, 'back-cases')
    const number = (await listed.first().getByRole('link').textContent()).trim()
    await listed.first().getByRole('link').click()
    await page.getByRole('heading', { name: `案卷 ${number}` }).waitFor()
    await page.goBack()
    await page.goBack()
    await page.getByText('各部门预警与红黄牌：数据表').waitFor()
    await snap(page, 'back-dashboard')
  },

  // 政务公开 without sign-in: 新田县's figures and, per department, the on-time rate and the
  // 好差评 results (the demo's ratings of 人社局, a bad one among them), as the public routes say.
  async publicStatistics({ page, baseURL, expect, snap }) {
    await page.goto('/portal')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '统计公开' }).click()
    await page.waitForURL('**/statistics')
    await page.getByLabel('地区').selectOption('431128')
    await page.getByRole('button', { name: '查询' }).click()
    await page.getByRole('status').filter({ hasText: '统计期' }).waitFor()
    const table = page.getByRole('table', { name: '各部门办件与好差评' })
    const row = table.getByRole('row').filter({ hasText: '新田县人力资源和社会保障局' })
    await row.waitFor()
    const year = new Date().getFullYear()
    const r = await call(baseURL, 'GET', `/api/v1/public/evaluation-statistics?by=department&region=431128&from=${year}-01-01&to=${year}-12-31`)
    const rsj = r.rows.find((x) => x.key === '431128-rsj')
    const cells = await row.getByRole('cell').allTextContents()
    expect(Number(cells[3]) === rsj.rated, `ratings ${cells[3]} vs ${rsj.rated}`)
    expect(Number(cells[5]) === rsj.bad && rsj.bad >= 1, `bad ratings ${cells[5]} vs ${rsj.bad}`)
    expect(cells[4] === `${(100 * rsj.good_rate).toFixed(1)}%`, `good rate ${cells[4]}`)
    expect(/%$/.test(cells[2]), `on-time rate ${cells[2]}`)
    await page.getByRole('list', { name: '总体指标' }).getByText('按时办结率').waitFor()
    await snap(page, 'public-statistics')
  },
}
