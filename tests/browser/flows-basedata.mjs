// Base data and the catalog's forms: the register administrator imports a persons CSV and
// watches its progress to the end, with the bad rows (line numbers, the row outside the
// county) downloadable; the catalog administrator adds a county holiday on the calendar's
// month grid (a bad make-up day refused beside its field first) and edits a matter's
// materials in forms (a missing licence type refused beside its field, then saved).
import { call, elTable, staffLogin, token } from './lib-office.mjs'

const kHygiene = '11431128MB17009738000172003000001' // 公共场所卫生许可 (新田县卫健局)

// A valid ID number (GB 11643 check character).
function idNumber(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...first17].reduce((s, c, i) => s + Number(c) * w[i], 0)
  return first17 + '10X98765432'[sum % 11]
}

const kHeader = 'id_number,name,sex,birth_date,household_region,address,phone,income_band,assistance,disability_certificate,disability_category,disability_level,long_term_care'

export const flows = {
  async registerImportWithProgress({ page, baseURL, expect, snap }) {
    const rows = [
      `${idNumber('43112819500707991')},导入甲,male,1950-07-07,431128,新田县龙泉镇,,low,none,,,,false`,
      `${idNumber('43112819500707993')},导入乙,male,1950-07-07,430181,浏阳市,,low,none,,,,false`, // another county
      `${idNumber('43112819500707995')},导入丙,male,1950-07-07,431128,,,rich,none,,,,false`, // unknown band
      `${idNumber('43112819500707992')},导入丁,female,1950-07-07,431128,,,low,none,,,,false`,
    ]
    const csv = `${kHeader}\n${rows.join('\n')}\n`
    await staffLogin(page, 'xintian.register_admin')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '批量导入' }).click()
    await page.getByRole('heading', { name: '人口库、法人库批量导入' }).waitFor()
    await snap(page, 'basedata-imports')
    await page.getByLabel('人口库（自然人）').check()
    await page.getByLabel('CSV 文件').setInputFiles({ name: '新田县人口补录.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
    await page.getByRole('button', { name: '开始导入' }).click()
    const status = page.getByRole('status').filter({ hasText: '已完成' })
    await status.waitFor()
    const text = await status.textContent()
    expect(/100%/.test(text) && /已读 4 行/.test(text) && /导入 2 行/.test(text) && /问题\s*2 行/.test(text), `progress: ${text}`)
    expect((await page.getByRole('progressbar').getAttribute('aria-valuenow')) === '100', 'the bar at 100')
    await elTable(page, '导入记录').getByText('新田县人口补录.csv').waitFor()
    await snap(page, 'basedata-import-done')
    const href = await page.getByRole('link', { name: /下载问题行/ }).getAttribute('href')
    const bad = await (await page.request.get(href)).text()
    expect(bad === "line,field,reason\n3,household_region,outside the importer's scope\n4,income_band,unknown value 'rich'\n", `bad rows: ${bad}`)
    const admin = await token(baseURL, 'xintian.register_admin')
    const found = await call(baseURL, 'GET', `/api/v1/persons?id_number=${idNumber('43112819500707992')}`, undefined, admin)
    expect(found.items.length === 1 && found.items[0].name === '导入丁', `imported: ${JSON.stringify(found.items)}`)
  },

  async calendarMonthGrid({ page, baseURL, expect, snap }) {
    await staffLogin(page, 'xintian.catalog_admin')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '工作日历' }).click()
    await page.getByLabel('年度').fill('2026')
    await page.getByRole('button', { name: '查看' }).click()
    const day = (date) => page.getByRole('button', { name: new RegExp(` ${date}，`) })
    await day('2026-10-01').filter({ hasText: '休' }).waitFor()
    await snap(page, 'basedata-calendar')
    // Two clicks on the same day: a one-day holiday.
    await day('2026-12-03').click()
    await day('2026-12-03').click()
    const row = page.getByRole('group', { name: '假日 1' })
    await row.getByLabel('名称').fill('县庆')
    await row.getByLabel(/调休上班日/).fill('2026-12-09') // a Wednesday: refused
    await page.getByLabel('依据（通知文号）').fill('新田县人民政府关于县庆放假的通知')
    await page.getByRole('button', { name: '保存' }).click()
    await page.getByRole('alert').waitFor()
    const beside = await row.locator('.field-error').allTextContents()
    expect(beside.some((t) => t.trim().length > 0), `the make-up day's error beside it: ${beside}`)
    await row.getByLabel(/调休上班日/).fill('')
    await page.getByRole('button', { name: '保存' }).click()
    await page.getByRole('status').filter({ hasText: '已保存（第 1 版）' }).waitFor()
    await day('2026-12-03').filter({ hasText: '休' }).waitFor()
    const label = await day('2026-12-03').getAttribute('aria-label')
    expect(label.includes('县庆') && label.includes('休息日'), `the day: ${label}`)
    const year = await call(baseURL, 'GET', '/api/v1/calendars/431128/2026')
    expect(year.version === 1 && year.own.holidays[0].name === '县庆' && year.updated_by === 'xintian.catalog_admin', `stored: ${JSON.stringify(year.own)}`)
    await snap(page, 'basedata-calendar-saved')
  },

  async matterMaterialsInForms({ page, baseURL, expect, snap }) {
    await staffLogin(page, 'xintian.catalog_admin')
    await page.goto(`/admin/matters/${kHygiene}`)
    await page.getByRole('button', { name: /^编辑/ }).click()
    const scenario = page.getByRole('group', { name: /^情形 1：新办/ })
    const material = scenario.getByRole('group', { name: /^材料 5：经营场所租赁合同/ })
    await material.waitFor()
    await snap(page, 'basedata-matter-forms')
    // A licence without its type: the server names the field, shown beside it.
    await material.getByLabel('材料来源').selectOption('licence')
    await page.getByRole('button', { name: '保存草稿' }).click()
    await page.getByRole('alert').waitFor()
    const error = material.locator('.field-error').filter({ hasText: /\S/ })
    await error.first().waitFor()
    expect((await material.getByLabel('证照类型').getAttribute('aria-invalid')) === 'true', 'licence type marked invalid')
    await material.getByLabel('材料来源').selectOption('reuse')
    await material.getByLabel(/复用期/).fill('30')
    await material.getByLabel(/复用期/).blur()
    await material.getByLabel('核心材料（不可容缺受理、不可承诺后补）').check()
    await page.getByRole('button', { name: '保存草稿' }).click()
    await page.getByRole('status').filter({ hasText: '草稿已保存' }).waitFor()
    const admin = await token(baseURL, 'xintian.catalog_admin')
    const versions = await call(baseURL, 'GET', `/api/v1/matters/${kHygiene}/versions`, undefined, admin)
    const m = versions.latest.scenarios[0].materials[4]
    expect(m.name === '经营场所租赁合同' && m.reuse_days === 30 && m.core === true && m.source === 'reuse', `saved: ${JSON.stringify(m)}`)
  },
}
