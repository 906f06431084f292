// Shared by the back-office pages: the departments the signed-in account holds a permission
// for (its grants' scopes), to offer as the department of an inbox.
import { session } from '../../session.js'

export function departmentsWith(permission) {
  const roles = (session.me && session.me.roles) || []
  const out = []
  for (const r of roles) {
    const d = r.scope && r.scope.department
    if (r.valid_now !== false && d && (r.permissions || []).includes(permission) && !out.includes(d)) out.push(d)
  }
  return out
}
