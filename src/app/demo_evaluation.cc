#include "app/demo_evaluation.h"

#include <fmt/format.h>

#include <chrono>

#include "app/demo.h"
#include "people/repository.h"

namespace tongban::app {
namespace {

// A demo account as a principal (the loader acts as the system: no password is checked).
Result<people::Principal> Principal(store::Database& db, const std::string& username,
                                    const std::string& id_number) {
  TB_ASSIGN_OR_RETURN(people::PeopleRepository repo,
                      people::PeopleRepository::Create(db.backend()));
  return db.Transaction<people::Principal>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<people::Principal> {
        auto account = username.empty() ? repo.FindAccountByIdNumber(sql, id_number)
                                        : repo.FindAccountByUsername(sql, username);
        if (!account) {
          return Error(ErrorCode::kNotFound,
                       fmt::format("demo account {}{} is missing", username, id_number));
        }
        people::Principal p;
        p.account = std::move(account->account);
        p.grants = repo.ListHeldGrants(sql, p.account.id);
        p.agencies = repo.ListAgencies(sql, p.account.id);
        return p;
      });
}

template <typename T>
Status Done(Result<T> r) {
  if (!r.ok()) return std::move(r).error();
  return Ok();
}

}  // namespace

Result<DemoEvaluations> LoadDemoEvaluations(store::Database& db, cases::CaseService& cases,
                                            evaluation::EvaluationService& evaluation,
                                            devices::SimulatedRatingDevice* device) {
  namespace ev = evaluation;
  const auto start = std::chrono::steady_clock::now();
  DemoEvaluations out;
  TB_ASSIGN_OR_RETURN(ev::Statistics any, evaluation.ComputeStatistics({}));
  if (any.total.rated > 0) {
    out.already_there = true;
    return out;
  }
  people::Principal system;
  system.account.id = "system";
  system.account.kind = people::AccountKind::kStaff;
  people::HeldGrant read;
  read.grant.role = "system";
  read.permissions = {"case.read"};
  system.grants.push_back(read);

  const std::vector<std::string> citizens = {"431128196803150214", "430181198504200648",
                                             "430423197809300525", "430204198805120310",
                                             "430603199502250484"};
  const std::vector<std::string> names = {"xintian", "liuyang", "hengshan", "shifeng", "yunxi"};
  const std::vector<std::string> regions = DemoLocalities();
  for (size_t i = 0; i < regions.size() && i < names.size(); ++i) {
    const std::string& region = regions[i];
    TB_ASSIGN_OR_RETURN(people::Principal citizen, Principal(db, "", citizens[i]));
    TB_ASSIGN_OR_RETURN(people::Principal clerk, Principal(db, names[i] + ".window_clerk", ""));
    TB_ASSIGN_OR_RETURN(people::Principal head, Principal(db, names[i] + ".department_head", ""));
    TB_ASSIGN_OR_RETURN(people::Principal supervisor, Principal(db, names[i] + ".supervisor", ""));
    auto first = [&](cases::CaseState state) -> Result<std::string> {
      TB_ASSIGN_OR_RETURN(cases::CasePage page,
                          cases.Search(system, {.state = state, .region = region, .limit = 1}));
      if (page.items.empty()) {
        return Error(ErrorCode::kNotFound,
                     fmt::format("no {} demo case in {}", cases::CaseStateName(state), region));
      }
      return page.items.front().number;
    };
    TB_ASSIGN_OR_RETURN(std::string concluded, first(cases::CaseState::kConcluded));
    TB_RETURN_IF_ERROR(Done(evaluation.RateCase(
        citizen, concluded,
        {.level = ev::Level::kVerySatisfied, .tags = {"办事效率高", "一次办成"}, .text = ""})));
    ++out.ratings;
    if (device != nullptr) {
      const std::string window = region + "-A01";
      const std::vector<std::pair<cases::CaseState, ev::Level>> visits = {
          {cases::CaseState::kApproved, ev::Level::kVerySatisfied},
          {cases::CaseState::kDenied, ev::Level::kBasicallySatisfied},
          {cases::CaseState::kUnderReview, ev::Level::kSatisfied}};
      for (const auto& [state, level] : visits) {
        TB_ASSIGN_OR_RETURN(std::string number, first(state));
        TB_ASSIGN_OR_RETURN(ev::Visit visit,
                            evaluation.OpenVisit(clerk, {.case_number = number, .window = window}));
        if (state == cases::CaseState::kUnderReview) {
          TB_ASSIGN_OR_RETURN(
              ev::RatingRequestResult qr,
              evaluation.RequestVisitRating(clerk, visit.id, ev::RatingMethod::kQrCode));
          TB_RETURN_IF_ERROR(Done(evaluation.RateByToken(
              &citizen, qr.token, {.level = level, .tags = {}, .text = ""})));
        } else {
          device->Press(window,
                        {.level = std::string(ev::LevelName(level)), .tags = {}, .text = ""});
          TB_RETURN_IF_ERROR(
              Done(evaluation.RequestVisitRating(clerk, visit.id, ev::RatingMethod::kDevice)));
        }
        ++out.ratings;
      }
    }
    TB_ASSIGN_OR_RETURN(std::string refused, first(cases::CaseState::kRefused));
    TB_ASSIGN_OR_RETURN(ev::Evaluation bad,
                        evaluation.RateCase(citizen, refused,
                                            {.level = i % 2 == 0 ? ev::Level::kDissatisfied
                                                                 : ev::Level::kVeryDissatisfied,
                                             .tags = {"未一次性告知"},
                                             .text = "受理前没有告知应向哪个部门申请"}));
    ++out.ratings;
    ++out.rectifications;
    const std::string& id = bad.rectification_id;
    switch (i % 5) {
      case 0:
        break;  // open: awaiting the callback
      case 1:
        TB_RETURN_IF_ERROR(
            Done(evaluation.RecordCallback(head, id, ev::CallbackOutcome::kConfirmed, "情况属实")));
        TB_RETURN_IF_ERROR(
            Done(evaluation.Rectify(head, id, "窗口已张贴各部门职责清单，首问负责一次告知")));
        TB_RETURN_IF_ERROR(Done(evaluation.RateRectification(citizen, id, ev::Level::kSatisfied)));
        break;
      case 2:
        TB_RETURN_IF_ERROR(Done(
            evaluation.RecordCallback(head, id, ev::CallbackOutcome::kConfirmed, "已电话沟通")));
        TB_RETURN_IF_ERROR(
            Done(evaluation.Explain(head, id, "该事项依法由市级部门办理，已告知申请途径")));
        break;
      case 3:
        TB_RETURN_IF_ERROR(
            Done(evaluation.Appeal(head, id, "不予受理决定书已载明有权机关，评价与事实不符")));
        break;
      default:
        TB_RETURN_IF_ERROR(
            Done(evaluation.Appeal(head, id, "不予受理决定书已载明有权机关，评价与事实不符")));
        TB_RETURN_IF_ERROR(Done(evaluation.Review(supervisor, id, ev::ReviewDecision::kVoid,
                                                  "经核查决定书已一次告知，评价不实")));
        break;
    }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace tongban::app
