// How an application lists its materials, shared by the portal and the window: an e-licence is
// provided by reference (调用), commitments and waived materials need no proof (告知承诺 / 免提交),
// the rest are files uploaded right after submission (by the applicant, or scanned by the clerk).
import { upload as uploadBody } from './api.js'

export function materialEntry(m) {
  if (m.source === 'licence') {
    return { name: m.name, state: 'provided', origin: 'licence', reference: m.licence_type || m.name }
  }
  if (m.source === 'commitment' || m.source === 'waived') return { name: m.name, state: 'proof_waived' }
  return { name: m.name, state: 'missing' }
}

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
