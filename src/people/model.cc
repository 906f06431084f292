#include "people/model.h"

namespace tongban::people {

std::string_view AccountKindName(AccountKind kind) {
  return kind == AccountKind::kCitizen ? "citizen" : "staff";
}

std::optional<AccountKind> ParseAccountKind(std::string_view name) {
  if (name == "citizen") return AccountKind::kCitizen;
  if (name == "staff") return AccountKind::kStaff;
  return std::nullopt;
}

std::string_view AccountStatusName(AccountStatus status) {
  return status == AccountStatus::kActive ? "active" : "disabled";
}

std::optional<AccountStatus> ParseAccountStatus(std::string_view name) {
  if (name == "active") return AccountStatus::kActive;
  if (name == "disabled") return AccountStatus::kDisabled;
  return std::nullopt;
}

std::string_view AdminDutyName(AdminDuty duty) {
  switch (duty) {
    case AdminDuty::kNone:
      return "none";
    case AdminDuty::kSystem:
      return "system";
    case AdminDuty::kSecurity:
      return "security";
    case AdminDuty::kAudit:
      return "audit";
  }
  return "none";
}

std::optional<AdminDuty> ParseAdminDuty(std::string_view name) {
  for (AdminDuty d :
       {AdminDuty::kNone, AdminDuty::kSystem, AdminDuty::kSecurity, AdminDuty::kAudit}) {
    if (AdminDutyName(d) == name) return d;
  }
  return std::nullopt;
}

std::string_view EnterpriseRelationName(EnterpriseRelation relation) {
  return relation == EnterpriseRelation::kLegalRepresentative ? "legal_representative" : "agent";
}

}  // namespace tongban::people
