#include "xregion/cases_bridge.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>
#include <mutex>

namespace tongban::xregion {

namespace {

constexpr std::string_view kSubmitterPrefix = "xregion:";

// The exchange's principal for one case: assists (submits at the window) and scans the
// carried materials in, over every region; it never accepts or decides.
people::Principal ExchangePrincipal(const std::string& ref) {
  people::Principal p;
  p.account.id = CaseBridge::SubmitterFor(ref);
  p.account.kind = people::AccountKind::kStaff;
  p.grants.emplace_back().permissions = {"case.accept", "case.assist"};
  return p;
}

// The state and the note the partner is told for a case change; empty when it tells nothing.
std::pair<std::string, std::string> Told(const cases::CaseChange& change) {
  const std::string_view a = change.action;
  const cases::Case& c = change.record;
  if (a == "case.accepted") return {"accepted", fmt::format("办理地受理，案件号 {}", c.number)};
  if (a == "case.refused") return {"refused", "办理地不予受理"};
  if (a == "case.correction_requested") {
    std::string items;
    for (const std::string& i : c.correction_items) items += (items.empty() ? "" : "、") + i;
    return {"correction_requested", "一次性补正告知：" + items};
  }
  if (a == "case.approved") return {"approved", "准予许可"};
  if (a == "case.denied") return {"denied", c.decision_reasons};
  if (a == "case.concluded") return {"concluded", "办结"};
  if (a == "case.withdrawn") return {"refused", "申请人撤回"};
  if (a == "case.terminated") return {"refused", "终止办理"};
  return {};
}

}  // namespace

CaseBridge::CaseBridge(Service& exchange, cases::CaseService& cases, cases::CaseObserver* next)
    : exchange_(exchange), cases_(cases), next_(next) {}

std::string CaseBridge::SubmitterFor(const std::string& ref) {
  return std::string(kSubmitterPrefix) + ref;
}

Result<std::string> CaseBridge::Open(const CrossCase& c) {
  const people::Principal exchange = ExchangePrincipal(c.ref);
  cases::SubmitRequest request;
  request.matter = c.matter;
  request.channel = cases::Channel::kWindow;  // checked at the receiving region's window
  request.applicant_kind = cases::ApplicantKind::kPerson;
  request.applicant_code = c.applicant_code;
  request.applicant_name = c.applicant_name;
  request.form = c.form;
  request.idempotency_key = c.ref;
  TB_ASSIGN_OR_RETURN(cases::SubmitResult submitted, cases_.Submit(exchange, request));
  // The carried materials, scanned in under the catalog's names (the others stay on the
  // exchange's record). A material already provided (a retried opening) is left alone.
  for (const Material& m : c.materials) {
    for (const cases::CaseMaterial& cm : submitted.record.materials) {
      if (cm.name != m.name || cm.state != cases::MaterialState::kMissing) continue;
      TB_ASSIGN_OR_RETURN(std::string bytes, exchange_.File(m.hash));
      auto supplied = cases_.SupplyMaterial(exchange, submitted.record.number, cm.index,
                                            cases::MaterialOrigin::kClerkScan, bytes, m.name, "");
      if (!supplied.ok()) {
        spdlog::warn("xregion: material {} of {} not scanned into case {}: {}", m.name, c.ref,
                     submitted.record.number, supplied.error().ToString());
      }
    }
  }
  return submitted.record.number;
}

Result<int> CaseBridge::OpenPending() {
  // One opener at a time: the receipt's thread and the delivery thread may both call.
  static std::mutex mu;
  std::lock_guard lock(mu);
  TB_ASSIGN_OR_RETURN(std::vector<CrossCase> pending, exchange_.Unopened(100));
  int opened = 0;
  for (const CrossCase& c : pending) {
    auto number = Open(c);
    if (number.ok()) {
      ++opened;
      spdlog::info("xregion: {} ({} from {}) opened as case {}", c.ref, ModeName(c.mode),
                   c.receiving_region, *number);
      continue;
    }
    if (number.error().code() == ErrorCode::kStorage ||
        number.error().code() == ErrorCode::kUnavailable) {
      return std::move(number).error();  // tried again next time
    }
    spdlog::warn("xregion: {} not opened as a case: {}", c.ref, number.error().ToString());
    TB_RETURN_IF_ERROR(exchange_.RecordOpenError(c.ref, number.error().ToString()));
  }
  return opened;
}

Status CaseBridge::OnCaseChanged(soci::session& sql, const cases::CaseChange& change) {
  const std::string& by = change.record.submitted_by;
  if (change.action == "case.submitted" && by.starts_with(kSubmitterPrefix)) {
    TB_RETURN_IF_ERROR(
        exchange_.LinkCase(sql, by.substr(kSubmitterPrefix.size()), change.record.number));
  } else if (by.starts_with(kSubmitterPrefix)) {
    auto [state, note] = Told(change);
    if (!state.empty()) {
      TB_ASSIGN_OR_RETURN(bool told, exchange_.CaseStepped(sql, change.record.number, state, note,
                                                           change.action == "case.approved"
                                                               ? std::string("准予许可")
                                                               : std::string()));
      (void)told;
    }
  }
  return next_ != nullptr ? next_->OnCaseChanged(sql, change) : Ok();
}

}  // namespace tongban::xregion
