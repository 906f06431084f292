// How an application lists its materials, shared by the portal, the window and the kiosk: an
// e-licence is not declared by the page but fetched by the server (调用) from the licence
// register, for the types the applicant authorised (授权用证: authorisedLicences); commitments
// and waived materials need no proof (告知承诺 / 免提交); the rest are files uploaded right after
// submission (by the applicant, or scanned by the clerk).
import { upload as uploadBody } from './api.js'

export function materialEntry(m) {
  if (m.source === 'licence') return null
  if (m.source === 'commitment' || m.source === 'waived') return { name: m.name, state: 'proof_waived' }
  return { name: m.name, state: 'missing' }
}

// A scenario's materials as a submission declares them.
export const materialEntries = (materials) => (materials || []).map(materialEntry).filter(Boolean)

// The e-licence types a scenario's materials fetch, each once: what 授权用证 asks consent for.
export const licenceTypes = (materials) => [
  ...new Set((materials || []).filter((m) => m.source === 'licence').map((m) => m.licence_type || m.name)),
]

export const needsUpload = (m) => !['licence', 'commitment', 'waived'].includes(m.source)

// Uploads one material's file by its bytes (PDF/OFD/PNG/JPEG; the server checks and scans it).
export async function upload(number, index, file, name = file.name) {
  try {
    return await uploadBody('PUT', `/api/v1/cases/${number}/materials/${index}?file_name=${encodeURIComponent(name)}`, file)
  } catch (e) {
    throw new Error(`${name}：上传失败（${e.status || e.message}）`)
  }
}

// Uploads the files picked for a just-submitted case's materials (by material name).
export async function uploadAll(c, files) {
  for (const m of c.materials || []) {
    if (files[m.name]) await upload(c.number, m.index, files[m.name])
  }
}
