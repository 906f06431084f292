// Rectification of bad ratings: callback, rectify, explain, appeal and review, the applicant's
// rating of the outcome; every step moves the pre-aggregated statistics by its difference.
#include "evaluation/service_impl.h"

namespace tongban::evaluation {

using people::Principal;

Result<Rectification> EvaluationService::GetRectification(const Principal& caller,
                                                          std::string_view id) {
  Impl& I = *impl_;
  const std::string key(id);
  return I.db.Transaction<Rectification>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<Rectification> {
        auto row = I.ReadRect(sql, key);
        if (!row) return Error(ErrorCode::kNotFound, fmt::format("no rectification {}", key));
        const people::Target target{
            .region = row->region, .department = row->department, .matter = row->matter};
        const int64_t now = I.NowMs();
        const bool applicant =
            !row->rater_account.empty() && row->rater_account == caller.account.id;
        if (!applicant && !people::Authorize(caller, "evaluation.read", target, now).ok() &&
            !people::Authorize(caller, "evaluation.rectify", target, now).ok()) {
          TB_RETURN_IF_ERROR(people::Authorize(caller, "evaluation.review", target, now));
        }
        return row->ToModel(I.Today());
      });
}

Result<std::vector<Rectification>> EvaluationService::ListRectifications(
    const Principal& caller, const RectificationQuery& query) {
  Impl& I = *impl_;
  FieldErrors errors;
  if (query.limit < 1 || query.limit > 500) errors.Add("limit", "must be between 1 and 500");
  if (!query.region.empty() && !people::IsRegionCode(query.region)) {
    errors.Add("region", "must be a region code");
  }
  if (!errors.empty()) return errors.ToError("the listing is invalid");
  const int64_t now = I.NowMs();
  const std::vector<std::string_view> perms = {"evaluation.read", "evaluation.rectify",
                                               "evaluation.review"};
  if (std::none_of(perms.begin(), perms.end(),
                   [&](std::string_view p) { return people::HoldsPermission(caller, p, now); })) {
    return Error(ErrorCode::kForbidden, "missing permission 'evaluation.read'");
  }
  return I.db.Transaction<std::vector<Rectification>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<Rectification>> {
        std::vector<Rectification> out;
        RectRow row;
        std::string region = RegionPattern(query.region);
        std::string state =
            query.state ? std::string(RectificationStateName(*query.state)) : std::string();
        std::string overdue_before = query.overdue ? I.Today().ToString() : std::string();
        long long lim = query.limit;
        soci::statement st(sql);
        row.Bind(st);
        st.exchange(soci::use(region, "region"));
        st.exchange(soci::use(query.department, "department"));
        st.exchange(soci::use(state, "state"));
        st.exchange(soci::use(overdue_before, "overdue_before"));
        st.exchange(soci::use(lim, "limit"));
        st.alloc();
        st.prepare(I.Q("list_rectifications"));
        st.define_and_bind();
        if (st.execute(true)) {
          do {
            const people::Target target{
                .region = row.region, .department = row.department, .matter = row.matter};
            if (std::any_of(perms.begin(), perms.end(), [&](std::string_view p) {
                  return people::Authorize(caller, p, target, now).ok();
                })) {
              out.push_back(row.ToModel(I.Today()));
            }
          } while (st.fetch());
        }
        return out;
      });
}

namespace {

Error WrongState(const RectRow& r, std::string_view what) {
  return Error(ErrorCode::kRefused, fmt::format("rectification {} is {}: {}", r.id, r.state, what));
}

Status NeedNote(const std::string& note, std::string_view field) {
  if (note.empty() || note.size() > 2000) {
    FieldErrors e;
    e.Add(std::string(field), "is required, at most 2000 bytes");
    return e.ToError("the step is invalid");
  }
  return Ok();
}

}  // namespace

Result<Rectification> EvaluationService::RecordCallback(const Principal& caller,
                                                        std::string_view id,
                                                        CallbackOutcome outcome, std::string note) {
  Impl& I = *impl_;
  return I.Step(caller, id, "evaluation.rectify", "rectification.callback",
                [&](RectRow& r, std::string&) -> Status {
                  if (r.named == 0) {
                    return Error(ErrorCode::kRefused,
                                 "the rating is anonymous: there is nobody to call back");
                  }
                  if (r.callback_at != 0) {
                    return Error(ErrorCode::kConflict,
                                 fmt::format("rectification {} was called back already", r.id));
                  }
                  if (r.state == "voided") return WrongState(r, "nothing to call back");
                  r.callback_at = I.NowMs();
                  r.callback_outcome = std::string(CallbackOutcomeName(outcome));
                  r.callback_note = note;
                  return Ok();
                });
}

Result<Rectification> EvaluationService::Rectify(const Principal& caller, std::string_view id,
                                                 std::string note) {
  Impl& I = *impl_;
  TB_RETURN_IF_ERROR(NeedNote(note, "note"));
  return I.Step(caller, id, "evaluation.rectify", "rectification.rectified",
                [&](RectRow& r, std::string& notice) -> Status {
                  if (r.state != "open") return WrongState(r, "only an open item is rectified");
                  if (r.named != 0 && r.callback_at == 0) {
                    return Error(ErrorCode::kRefused,
                                 "call the applicant back first (回访核实), then rectify");
                  }
                  r.state = "rectified";
                  r.action_note = note;
                  r.acted_by = caller.account.id;
                  r.acted_at = I.NowMs();
                  notice = fmt::format("您的差评已整改：{}。欢迎对整改结果评价。", note);
                  return Ok();
                });
}

Result<Rectification> EvaluationService::Explain(const Principal& caller, std::string_view id,
                                                 std::string note) {
  Impl& I = *impl_;
  TB_RETURN_IF_ERROR(NeedNote(note, "note"));
  return I.Step(caller, id, "evaluation.rectify", "rectification.explained",
                [&](RectRow& r, std::string& notice) -> Status {
                  if (r.state != "open") return WrongState(r, "only an open item is explained");
                  if (r.named != 0 && r.callback_at == 0) {
                    return Error(ErrorCode::kRefused,
                                 "call the applicant back first (回访核实), then explain");
                  }
                  r.state = "explained";
                  r.action_note = note;
                  r.acted_by = caller.account.id;
                  r.acted_at = I.NowMs();
                  notice =
                      fmt::format("关于您的差评，承办部门解释说明如下：{}。欢迎对答复评价。", note);
                  return Ok();
                });
}

Result<Rectification> EvaluationService::Appeal(const Principal& caller, std::string_view id,
                                                std::string reason) {
  Impl& I = *impl_;
  TB_RETURN_IF_ERROR(NeedNote(reason, "reason"));
  return I.Step(caller, id, "evaluation.rectify", "rectification.appealed",
                [&](RectRow& r, std::string&) -> Status {
                  if (r.state != "open") return WrongState(r, "only an open item is appealed");
                  r.state = "appealed";
                  r.action_note = reason;
                  r.acted_by = caller.account.id;
                  r.acted_at = I.NowMs();
                  return Ok();
                });
}

Result<Rectification> EvaluationService::Review(const Principal& caller, std::string_view id,
                                                ReviewDecision decision, std::string note) {
  Impl& I = *impl_;
  TB_RETURN_IF_ERROR(NeedNote(note, "note"));
  auto out = I.Step(
      caller, id, "evaluation.review", "rectification.reviewed",
      [&](RectRow& r, std::string& notice) -> Status {
        if (r.state != "appealed") return WrongState(r, "only an appealed item is reviewed");
        if (r.acted_by == caller.account.id) {
          return Error(ErrorCode::kForbidden, "the appeal is reviewed by somebody else");
        }
        r.review_decision = std::string(ReviewDecisionName(decision));
        r.review_note = note;
        r.reviewed_by = caller.account.id;
        if (decision == ReviewDecision::kVoid) {
          r.state = "voided";
          notice = fmt::format("经复核，您的评价被认定为误评或恶意评价，不计入统计：{}。", note);
        } else {
          r.state = "open";
          notice = fmt::format("经复核，您的评价成立，承办部门将继续整改：{}。", note);
        }
        return Ok();
      });
  return out;
}

Result<Rectification> EvaluationService::RateRectification(const Principal& caller,
                                                           std::string_view id, Level level) {
  Impl& I = *impl_;
  if (IsStaff(caller)) return StaffMayNotRate();
  return I.Step(caller, id, "", "rectification.rated", [&](RectRow& r, std::string&) -> Status {
    const bool own = !r.rater_account.empty() && r.rater_account == caller.account.id;
    if (!own) {
      return Error(ErrorCode::kForbidden,
                   "only the applicant who gave the rating rates its rectification");
    }
    if (r.state != "rectified" && r.state != "explained") {
      return WrongState(r, "it is rated once rectified or explained");
    }
    if (!r.applicant_level.empty()) {
      return Error(ErrorCode::kConflict, fmt::format("rectification {} is rated already", r.id));
    }
    r.applicant_level = std::string(LevelName(level));
    return Ok();
  });
}

}  // namespace tongban::evaluation
