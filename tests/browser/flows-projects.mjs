// The construction-project journeys: Yunxi's service commissioner opens the project board, a
// project's budget clock (what counts and what is recorded separately) and edits the flow table
// of a stage not started (a new version); a batch naming a matter the projects do not have is
// refused with the items named, and nothing is decided; the park's approver finds the demo
// project's cases (its matters delegated to the park) in the inbox and decides one there, and the
// project's page shows the matter approved.
import { call, staffLogin, token } from './lib-office.mjs'

const elTable = (page, name) => page.locator(`.el-table[aria-label="${name}"]`)

export const flows = {
  async commissionerEditsFlowTable({ page, baseURL, expect, snap }) {
    const auth = await token(baseURL, 'yunxi.service_commissioner')
    const list = (await call(baseURL, 'GET', '/api/v1/projects?limit=200', undefined, auth)).items
    // A running project with a stage still to come, whose rows can change.
    const project = list.find((p) => p.state === 'active' && p.current_stage >= 1 && p.current_stage < 4)
    expect(project, `no running project among ${list.length}`)

    await staffLogin(page, 'yunxi.service_commissioner')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '工程建设项目' }).click()
    await elTable(page, '项目').getByText(project.project_code).waitFor()
    await page.getByRole('table', { name: '项目指标' }).waitFor()
    await snap(page, 'projects-board')

    await page.goto(`/projects/${project.id}`)
    const clock = page.getByRole('table', { name: '审批时钟' })
    await clock.getByText('计入预算').waitFor()
    await clock.getByText('单独记录（不计入）').waitFor()
    await elTable(page, '阶段').waitFor()
    await page.getByRole('heading', { name: /同步审流程表（第 \d+ 版）/ }).waitFor()
    const before = (await call(baseURL, 'GET', `/api/v1/projects/${project.id}/flow-table`, undefined, auth)).current
    const row = before.rows.find((r) => r.stage > project.current_stage)
    expect(row, 'no row of a stage not started')
    await page.getByLabel(`${row.title} 时限`).fill(String(row.limit_days + 1))
    await snap(page, 'project-flow-table')
    await page.getByRole('button', { name: '保存流程表' }).click()
    await page.getByRole('status').filter({ hasText: '流程表已保存' }).waitFor()
    await page.getByRole('heading', { name: `同步审流程表（第 ${before.version + 1} 版）` }).waitFor()
    const after = (await call(baseURL, 'GET', `/api/v1/projects/${project.id}/flow-table`, undefined, auth)).current
    const changed = after.rows.find((r) => r.matter === row.matter)
    expect(changed.limit_days === row.limit_days + 1, `limit ${changed.limit_days}, expected ${row.limit_days + 1}`)
  },

  async batchOfAnUnknownMatterIsRefused({ page, baseURL, expect, snap }) {
    await staffLogin(page, 'yunxi.service_commissioner')
    await page.goto('/projects/batch')
    await page.getByLabel('事项代码').fill('no_such_matter')
    const boxes = page.getByRole('group', { name: '项目' }).getByRole('checkbox')
    await boxes.first().waitFor()
    await boxes.nth(0).check()
    await boxes.nth(1).check()
    await page.getByRole('button', { name: '批量审查' }).click()
    const alert = page.getByRole('alert')
    await alert.waitFor()
    const text = await alert.textContent()
    expect(/items/.test(text), `refusal without the item named: ${text}`)
    await snap(page, 'projects-batch-refused')
    // Nothing was decided: no project event records a batch.
    const auth = await token(baseURL, 'yunxi.service_commissioner')
    const list = (await call(baseURL, 'GET', '/api/v1/projects?limit=2', undefined, auth)).items
    for (const p of list) {
      const full = await call(baseURL, 'GET', `/api/v1/projects/${p.id}`, undefined, auth)
      expect(!full.matters.some((m) => m.batch_id), `${p.project_code} has a batch decision`)
    }
  },

  async parkApproverDecidesAProjectMatterInTheInbox({ page, baseURL, expect, snap }) {
    const auth = await token(baseURL, 'yunxi.park_approver')
    const tasks = (await call(baseURL, 'GET', '/api/v1/review-tasks?limit=200', undefined, auth)).items
    const commissioner = await token(baseURL, 'yunxi.service_commissioner')
    const list = (await call(baseURL, 'GET', '/api/v1/projects?limit=200', undefined, commissioner)).items
    // The project whose matter a task's case is.
    let project, matter
    for (const p of list.filter((x) => x.state === 'active')) {
      const full = await call(baseURL, 'GET', `/api/v1/projects/${p.id}`, undefined, commissioner)
      matter = full.matters.find((m) => m.case_number && m.state === 'under_review' &&
        tasks.some((t) => t.case.number === m.case_number))
      if (matter) { project = full; break }
    }
    expect(project, `no project matter among ${tasks.length} inbox tasks`)

    await staffLogin(page, 'yunxi.park_approver')
    await page.goto('/office/inbox')
    await page.getByRole('link', { name: matter.case_number }).waitFor()
    await snap(page, 'projects-park-inbox')
    await page.getByRole('link', { name: matter.case_number }).click()
    await page.getByRole('button', { name: '提交审批意见' }).click()
    await page.getByRole('status').filter({ hasText: '已提交' }).waitFor()

    await page.goto(`/projects/${project.id}`)
    const after = await call(baseURL, 'GET', `/api/v1/projects/${project.id}`, undefined, commissioner)
    const decided = after.matters.find((m) => m.matter === matter.matter)
    expect(decided.state === 'approved', `${matter.matter} is ${decided.state} after the inbox decision`)
    expect(decided.document_number === matter.case_number, `document ${decided.document_number}`)
    await elTable(page, '阶段').waitFor()
    await snap(page, 'projects-matter-decided-in-inbox')
  },
}
