// The cross-region cases of the three modes: forwarding, joint parts, steps, the messages that
// carry them and their application on the other side.
#include "xregion/service_impl.h"

namespace tongban::xregion {

// ---- cross-region cases ----

Status Service::Impl::Apply(soci::session& sql, const Identity& self, const SignedEnvelope& s) {
  const Envelope& e = s.envelope;
  const json& b = e.body;
  const TimelineEntry event = EventFrom(b.value("event", json::object()));
  if (e.kind == "case.forwarded" || e.kind == "part.started") {
    if (CaseIn(sql, e.case_ref)) return Ok();  // applied before under another message
    TB_RETURN_IF_ERROR(StoreCarriedFiles(sql, b.value("materials", json::array())));
    CrossCase c;
    c.ref = e.case_ref;
    c.mode = ParseMode(b.value("mode", "")).value_or(Mode::kProxy);
    c.role = e.kind == "part.started" ? Role::kPart : Role::kHandling;
    c.matter = b.value("matter", "");
    c.matter_name = b.value("matter_name", "");
    c.receiving_region = b.value("receiving_region", "");
    c.handling_region = self.region;
    c.counterpart = e.sender;
    c.parent_ref = b.value("lead_ref", "");
    c.applicant_name = b.value("applicant_name", "");
    c.applicant_code = b.value("applicant_code", "");
    if (b.contains("form") && b["form"].is_object()) {
      for (auto it = b["form"].begin(); it != b["form"].end(); ++it) {
        c.form[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
      }
    }
    c.materials = MaterialsFrom(b.value("materials", json::array()));
    c.delivery = b.value("delivery", "window");
    c.state = "forwarded";
    c.created_at_ms = c.updated_at_ms = NowMs();
    InsertCase(sql, c);
    if (const int64_t due = b.value("originals_due_at", int64_t{0}); due > 0) {
      long long d = due;
      store::Execute(sql, Q("set_originals_due"), soci::use(d, "originals_due_at"),
                     soci::use(c.ref, "ref"));
    }
    InsertEvent(sql, c.ref, event);
    return Ok();
  }
  if (e.kind == "case.originals") {
    std::optional<CrossCase> c = CaseIn(sql, e.case_ref);
    if (!c) return Error(ErrorCode::kNotFound, "no cross-region case " + e.case_ref);
    long long at = event.at_ms;
    if (b.value("step", "") == "mail_originals") {
      const std::string tracking = b.value("tracking_number", "");
      store::Execute(sql, Q("set_originals_mailed"), soci::use(tracking, "originals_tracking"),
                     soci::use(at, "originals_mailed_at"), soci::use(c->ref, "ref"));
    } else {
      store::Execute(sql, Q("set_originals_received"), soci::use(at, "originals_received_at"),
                     soci::use(c->ref, "ref"));
    }
    InsertEvent(sql, c->ref, event);
    return Ok();
  }
  if (e.kind == "case.step") {
    // A part's step reaches the lead under the lead's ref.
    const std::string target = b.value("lead_ref", e.case_ref);
    std::optional<CrossCase> c = CaseIn(sql, target);
    if (!c) return Error(ErrorCode::kNotFound, "no cross-region case " + target);
    InsertEvent(sql, c->ref, event);
    if (c->role == Role::kLead) {
      const std::string state = b.value("state", "");
      store::Execute(sql, Q("update_part_state"), soci::use(state, "state"),
                     soci::use(c->ref, "parent_ref"), soci::use(e.case_ref, "part_ref"));
      return CompleteLeadIfDone(sql, self, *c);
    }
    c->state = b.value("state", c->state);
    if (b.contains("result")) c->result = b.value("result", "");
    if (b.contains("tracking_number")) c->tracking_number = b.value("tracking_number", "");
    UpdateState(sql, *c);
    return Ok();
  }
  if (e.kind == "case.closed") {
    std::optional<CrossCase> c = CaseIn(sql, e.case_ref);
    if (!c) return Error(ErrorCode::kNotFound, "no cross-region case " + e.case_ref);
    InsertEvent(sql, c->ref, event);
    return Ok();
  }
  return Error(ErrorCode::kRefused, "unknown message kind " + e.kind);
}

Status Service::Impl::CompleteLeadIfDone(soci::session& sql, const Identity& self,
                                         CrossCase& lead) {
  std::optional<CrossCase> fresh = CaseIn(sql, lead.ref);
  if (!fresh || fresh->state == "concluded") return Ok();
  for (const Part& p : fresh->parts) {
    if (!IsFinalState(p.state)) return Ok();
  }
  fresh->state = "concluded";
  UpdateState(sql, *fresh);
  const std::string event_id = NewId(clock);
  TimelineEntry done{.id = event_id,
                     .at_ms = NowMs(),
                     .region = self.region,
                     .kind = "concluded",
                     .note = "每个协办地区均已办结"};
  InsertEvent(sql, fresh->ref, done);
  for (const Part& p : fresh->parts) {
    TB_RETURN_IF_ERROR(Enqueue(sql, self, NewId(clock), p.region, p.part_ref, "case.closed",
                               json{{"event", EventJson(done)}, {"lead_ref", fresh->ref}}));
  }
  return Ok();
}

Result<CrossCase> Service::Forward(const ForwardRequest& r) {
  Impl& I = *impl_;
  FieldErrors errors;
  if (r.mode == Mode::kJoint) errors.Add("mode", "must be online or proxy (joint: StartJoint)");
  if (r.applicant_name.empty()) errors.Add("applicant_name", "must not be empty");
  if (r.applicant_code.empty()) errors.Add("applicant_code", "must not be empty");
  if (r.delivery != "online" && r.delivery != "window" && r.delivery != "mail") {
    errors.Add("delivery", "must be online, window or mail");
  }
  for (size_t i = 0; i < r.materials.size(); ++i) {
    if (r.materials[i].name.empty()) {
      errors.Add(fmt::format("materials/{}/name", i), "must not be empty");
    }
  }
  TB_ASSIGN_OR_RETURN(std::vector<Offer> offers, Offers(""));
  const Offer* offer = nullptr;
  for (const Offer& o : offers) {
    if (o.matter == r.matter && o.mode == r.mode) offer = &o;
  }
  if (offer == nullptr) {
    errors.Add("matter",
               fmt::format("is not offered in mode {} by any agreement", ModeName(r.mode)));
  }
  if (!errors.empty()) return errors.ToError("the cross-region case is invalid");
  TB_ASSIGN_OR_RETURN(Identity self, GetIdentity());
  const std::string ref = fmt::format("{}-{}", self.region, NewId(I.clock));
  TB_RETURN_IF_ERROR(I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    CrossCase c;
    c.ref = ref;
    c.mode = r.mode;
    c.role = Role::kReceiving;
    c.matter = r.matter;
    c.matter_name = offer->name;
    // 全程网办: the competent region receives the application itself.
    c.receiving_region = r.mode == Mode::kOnline ? offer->handling_region : self.region;
    c.handling_region = offer->handling_region;
    c.counterpart = offer->handling_region;
    c.applicant_name = r.applicant_name;
    c.applicant_code = r.applicant_code;
    c.form = r.form;
    for (const NewMaterial& m : r.materials)
      c.materials.push_back(I.StoreFile(sql, m.name, m.bytes));
    c.delivery = r.delivery;
    c.state = "forwarded";
    c.created_at_ms = c.updated_at_ms = I.NowMs();
    I.InsertCase(sql, c);
    for (const Agreement& a : I.AgreementsIn(sql)) {
      if (a.id == offer->agreement_id && a.originals_days > 0) {
        c.originals_due_at_ms = c.created_at_ms + int64_t{a.originals_days} * 24 * 3600 * 1000;
        long long due = c.originals_due_at_ms;
        store::Execute(sql, I.Q("set_originals_due"), soci::use(due, "originals_due_at"),
                       soci::use(ref, "ref"));
      }
    }
    const std::string message_id = NewId(I.clock);
    TimelineEntry event{.id = message_id,
                        .at_ms = I.NowMs(),
                        .region = self.region,
                        .kind = "forwarded",
                        .note = r.mode == Mode::kOnline ? "全程网办：网上提交至办理地"
                                                        : "异地代收：收件地窗口核验后转办理地"};
    I.InsertEvent(sql, ref, event);
    json body = {{"mode", ModeName(c.mode)},
                 {"matter", c.matter},
                 {"matter_name", c.matter_name},
                 {"receiving_region", c.receiving_region},
                 {"applicant_name", c.applicant_name},
                 {"applicant_code", c.applicant_code},
                 {"form", FormJson(c.form)},
                 {"materials", I.MaterialsFor(sql, c.counterpart, c.materials)},
                 {"delivery", c.delivery},
                 {"event", EventJson(event)}};
    if (c.originals_due_at_ms > 0) body["originals_due_at"] = c.originals_due_at_ms;
    return I.Enqueue(sql, self, message_id, c.counterpart, ref, "case.forwarded", std::move(body));
  }));
  if (I.options.on_enqueue) I.options.on_enqueue();
  return Get(ref);
}

Result<CrossCase> Service::StartJoint(const JointRequest& r) {
  Impl& I = *impl_;
  FieldErrors errors;
  if (r.matter.empty()) errors.Add("matter", "must not be empty");
  if (r.matter_name.empty()) errors.Add("matter_name", "must not be empty");
  if (r.applicant_name.empty()) errors.Add("applicant_name", "must not be empty");
  if (r.applicant_code.empty()) errors.Add("applicant_code", "must not be empty");
  if (r.parts.empty()) errors.Add("parts", "must list at least one partner's part");
  TB_ASSIGN_OR_RETURN(std::vector<Offer> offers, Offers(""));
  std::vector<const Offer*> part_offers;
  for (size_t i = 0; i < r.parts.size(); ++i) {
    const Offer* found = nullptr;
    for (const Offer& o : offers) {
      if (o.mode == Mode::kJoint && o.matter == r.parts[i].matter &&
          o.handling_region == r.parts[i].region) {
        found = &o;
      }
    }
    if (found == nullptr) {
      errors.Add(fmt::format("parts/{}", i), "no joint agreement covers this region and matter");
    }
    part_offers.push_back(found);
  }
  if (!errors.empty()) return errors.ToError("the joint case is invalid");
  TB_ASSIGN_OR_RETURN(Identity self, GetIdentity());
  const std::string ref = fmt::format("{}-{}", self.region, NewId(I.clock));
  TB_RETURN_IF_ERROR(I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    CrossCase c;
    c.ref = ref;
    c.mode = Mode::kJoint;
    c.role = Role::kLead;
    c.matter = r.matter;
    c.matter_name = r.matter_name;
    c.receiving_region = c.handling_region = self.region;
    c.applicant_name = r.applicant_name;
    c.applicant_code = r.applicant_code;
    c.form = r.form;
    for (const NewMaterial& m : r.materials)
      c.materials.push_back(I.StoreFile(sql, m.name, m.bytes));
    c.delivery = "window";
    c.state = "started";
    c.created_at_ms = c.updated_at_ms = I.NowMs();
    I.InsertCase(sql, c);
    I.InsertEvent(sql, ref,
                  {.id = NewId(I.clock),
                   .at_ms = I.NowMs(),
                   .region = self.region,
                   .kind = "started",
                   .note = "多地联办：牵头地受理"});
    for (size_t i = 0; i < r.parts.size(); ++i) {
      const Offer& o = *part_offers[i];
      const std::string part_ref = fmt::format("{}-p{}", ref, i + 1);
      std::string state = "forwarded";
      store::Execute(sql, I.Q("insert_part"), soci::use(ref, "parent_ref"),
                     soci::use(part_ref, "part_ref"), soci::use(o.handling_region, "region"),
                     soci::use(o.matter, "matter"), soci::use(state, "state"));
      const std::string message_id = NewId(I.clock);
      TimelineEntry event{.id = message_id,
                          .at_ms = I.NowMs(),
                          .region = self.region,
                          .kind = "forwarded",
                          .note = fmt::format("协办事项 {} 转 {}", o.name, o.handling_region)};
      I.InsertEvent(sql, ref, event);
      json body = {{"mode", "joint"},
                   {"matter", o.matter},
                   {"matter_name", o.name},
                   {"receiving_region", self.region},
                   {"lead_ref", ref},
                   {"applicant_name", c.applicant_name},
                   {"applicant_code", c.applicant_code},
                   {"form", FormJson(c.form)},
                   {"materials", I.MaterialsFor(sql, o.handling_region, c.materials)},
                   {"delivery", "window"},
                   {"event", EventJson(event)}};
      TB_RETURN_IF_ERROR(
          I.Enqueue(sql, self, message_id, o.handling_region, part_ref, "part.started", body));
    }
    return Ok();
  }));
  if (I.options.on_enqueue) I.options.on_enqueue();
  return Get(ref);
}

Status Service::Impl::RecordStep(soci::session& sql, const Identity& self, CrossCase& c,
                                 const std::string& state, const std::string& note) {
  c.state = state;
  UpdateState(sql, c);
  const std::string message_id = NewId(clock);
  TimelineEntry event{
      .id = message_id, .at_ms = NowMs(), .region = self.region, .kind = c.state, .note = note};
  InsertEvent(sql, c.ref, event);
  json body = {{"state", c.state},
               {"result", c.result},
               {"tracking_number", c.tracking_number},
               {"event", EventJson(event)}};
  if (c.role == Role::kPart) body["lead_ref"] = c.parent_ref;
  return Enqueue(sql, self, message_id, c.counterpart, c.ref, "case.step", std::move(body));
}

Status Service::Impl::RecordOriginals(soci::session& sql, const Identity& self, CrossCase& c,
                                      const std::string& step, const std::string& tracking_number,
                                      const std::string& note) {
  const long long now = NowMs();
  if (step == "mail_originals") {
    c.originals_tracking = tracking_number;
    c.originals_mailed_at_ms = now;
    store::Execute(sql, Q("set_originals_mailed"),
                   soci::use(c.originals_tracking, "originals_tracking"),
                   soci::use(now, "originals_mailed_at"), soci::use(c.ref, "ref"));
  } else {
    c.originals_received_at_ms = now;
    store::Execute(sql, Q("set_originals_received"), soci::use(now, "originals_received_at"),
                   soci::use(c.ref, "ref"));
  }
  const std::string message_id = NewId(clock);
  const std::string kind = step == "mail_originals" ? "originals_mailed" : "originals_received";
  TimelineEntry event{
      .id = message_id,
      .at_ms = now,
      .region = self.region,
      .kind = kind,
      .note = tracking_number.empty() ? note : fmt::format("{} 邮件号 {}", note, tracking_number)};
  InsertEvent(sql, c.ref, event);
  json body = {{"step", step}, {"tracking_number", tracking_number}, {"event", EventJson(event)}};
  return Enqueue(sql, self, message_id, c.counterpart, c.ref, "case.originals", std::move(body));
}

Result<CrossCase> Service::Step(std::string_view ref_view, const StepRequest& r) {
  Impl& I = *impl_;
  const std::string ref(ref_view);
  TB_ASSIGN_OR_RETURN(Identity self, GetIdentity());
  TB_RETURN_IF_ERROR(I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    std::optional<CrossCase> c = I.CaseIn(sql, ref);
    if (!c) return Error(ErrorCode::kNotFound, "no cross-region case " + ref);
    // step -> (allowed roles, allowed from-states, new state)
    struct Rule {
      std::vector<Role> roles;
      std::vector<std::string> from;
      std::string to;
    };
    static const std::map<std::string, Rule> kRules = {
        {"accept", {{Role::kHandling, Role::kPart}, {"forwarded"}, "accepted"}},
        {"refuse", {{Role::kHandling, Role::kPart}, {"forwarded"}, "refused"}},
        {"approve", {{Role::kHandling, Role::kPart}, {"accepted"}, "approved"}},
        {"deny", {{Role::kHandling, Role::kPart}, {"accepted"}, "denied"}},
        {"mail", {{Role::kHandling, Role::kPart}, {"approved", "denied"}, "mailed"}},
        {"conclude",
         {{Role::kHandling, Role::kPart}, {"approved", "denied", "mailed"}, "concluded"}},
        {"deliver", {{Role::kReceiving}, {"concluded"}, "delivered"}},
        {"mail_originals", {{Role::kReceiving}, {}, ""}},
        {"receive_originals", {{Role::kHandling}, {}, ""}},
    };
    auto rule = kRules.find(r.step);
    if (rule == kRules.end()) {
      return Error(ErrorCode::kInvalidArgument, "the step is invalid",
                   {{"step",
                     "must be accept, refuse, approve, deny, mail, conclude, deliver, "
                     "mail_originals or receive_originals"}});
    }
    if (std::find(rule->second.roles.begin(), rule->second.roles.end(), c->role) ==
        rule->second.roles.end()) {
      return Error(ErrorCode::kRefused,
                   fmt::format("the {} side of a case may not {} it", RoleName(c->role), r.step));
    }
    if ((r.step == "mail" || r.step == "mail_originals") && r.tracking_number.empty()) {
      return Error(ErrorCode::kInvalidArgument, "the step is invalid",
                   {{"tracking_number", "is required to mail"}});
    }
    if (r.step == "mail_originals" || r.step == "receive_originals") {
      if (c->originals_due_at_ms == 0) {
        return Error(ErrorCode::kConflict, "the agreement requires no paper originals for " + ref);
      }
      if (r.step == "mail_originals" ? c->originals_mailed_at_ms != 0
                                     : c->originals_received_at_ms != 0) {
        return Error(ErrorCode::kConflict, fmt::format("{} is done already for {}", r.step, ref));
      }
      return I.RecordOriginals(sql, self, *c, r.step, r.tracking_number, r.note);
    }
    // A case opened here through src/cases is accepted, refused, decided and concluded by its
    // own steps (its clock, its documents): they reach the partner through CaseStepped.
    if (!c->case_number.empty() && r.step != "mail") {
      return Error(ErrorCode::kConflict,
                   fmt::format("{} is case {} here: take its steps there (/api/v1/cases/{})", ref,
                               c->case_number, c->case_number));
    }
    if (std::find(rule->second.from.begin(), rule->second.from.end(), c->state) ==
        rule->second.from.end()) {
      return Error(ErrorCode::kConflict, fmt::format("a {} case cannot be {}ed", c->state, r.step));
    }
    if ((r.step == "refuse" || r.step == "deny") && r.note.empty()) {
      return Error(ErrorCode::kInvalidArgument, "the step is invalid",
                   {{"note", "must give the reasons"}});
    }
    if (!r.result.empty()) c->result = r.result;
    if (!r.tracking_number.empty()) c->tracking_number = r.tracking_number;
    return I.RecordStep(sql, self, *c, rule->second.to,
                        r.tracking_number.empty()
                            ? r.note
                            : fmt::format("{} 邮件号 {}", r.note, r.tracking_number));
  }));
  if (I.options.on_enqueue) I.options.on_enqueue();
  return Get(ref);
}

Result<std::vector<CrossCase>> Service::Unopened(int limit) {
  Impl& I = *impl_;
  return I.db.Transaction<std::vector<CrossCase>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<CrossCase>> {
        std::vector<std::string> refs;
        std::string ref;
        long long lim = limit;
        store::ExecuteRows(
            sql, I.Q("select_unopened"), [&] { refs.push_back(ref); }, soci::use(lim, "limit"),
            soci::into(ref));
        std::vector<CrossCase> out;
        for (const std::string& r : refs) {
          if (auto c = I.CaseIn(sql, r)) out.push_back(std::move(*c));
        }
        return out;
      });
}

Status Service::LinkCase(soci::session& sql, std::string_view ref_view,
                         std::string_view case_number) {
  Impl& I = *impl_;
  const std::string ref(ref_view), number(case_number);
  auto done = store::Execute(sql, I.Q("set_case_number"), soci::use(number, "case_number"),
                             soci::use(ref, "ref"));
  if (done.affected_rows == 0) return Error(ErrorCode::kNotFound, "no cross-region case " + ref);
  return Ok();
}

Status Service::RecordOpenError(std::string_view ref_view, std::string_view error) {
  Impl& I = *impl_;
  const std::string ref(ref_view), problem(error);
  return I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    store::Execute(sql, I.Q("set_open_error"), soci::use(problem, "open_error"),
                   soci::use(ref, "ref"));
    return Ok();
  });
}

Result<bool> Service::CaseStepped(soci::session& sql, std::string_view case_number,
                                  std::string_view state, std::string_view note,
                                  std::string_view result) {
  Impl& I = *impl_;
  const std::string number(case_number);
  std::string ref;
  store::Execute(sql, I.Q("select_ref_by_case_number"), soci::use(number, "case_number"),
                 soci::into(ref));
  if (!sql.got_data() || number.empty()) return false;
  std::optional<CrossCase> c = I.CaseIn(sql, ref);
  if (!c) return false;
  TB_ASSIGN_OR_RETURN(Identity self, Impl::IdentityIn(sql, I.Q("select_identity")));
  if (!result.empty()) c->result = std::string(result);
  TB_RETURN_IF_ERROR(I.RecordStep(sql, self, *c, std::string(state), std::string(note)));
  if (I.options.on_enqueue) I.options.on_enqueue();
  return true;
}

Result<std::vector<CrossCase>> Service::OverdueOriginals() {
  Impl& I = *impl_;
  return I.db.Transaction<std::vector<CrossCase>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<CrossCase>> {
        std::vector<std::string> refs;
        std::string ref;
        long long now = I.NowMs();
        store::ExecuteRows(
            sql, I.Q("select_originals_overdue"), [&] { refs.push_back(ref); },
            soci::use(now, "now"), soci::into(ref));
        std::vector<CrossCase> out;
        for (const std::string& r : refs) {
          if (auto c = I.CaseIn(sql, r)) out.push_back(std::move(*c));
        }
        return out;
      });
}

Result<CrossCase> Service::Get(std::string_view ref_view) {
  Impl& I = *impl_;
  const std::string ref(ref_view);
  return I.db.Transaction<CrossCase>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<CrossCase> {
        std::optional<CrossCase> c = I.CaseIn(sql, ref);
        if (!c) {
          return Error(ErrorCode::kNotFound, "no cross-region case " + ref);
        }
        return *c;
      });
}

Result<std::vector<CrossCase>> Service::List(std::string_view role, std::string_view state,
                                             int limit) {
  Impl& I = *impl_;
  FieldErrors errors;
  if (!role.empty() && !ParseRole(role)) {
    errors.Add("role", "must be receiving, handling, lead or part");
  }
  if (limit < 1 || limit > 500) errors.Add("limit", "must be between 1 and 500");
  if (!errors.empty()) return errors.ToError("the listing is invalid");
  const std::string ro(role), st(state);
  return I.db.Transaction<std::vector<CrossCase>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<CrossCase>> {
        std::vector<std::string> refs;
        std::string ref;
        long long lim = limit;
        store::ExecuteRows(
            sql, I.Q("select_case_refs"), [&] { refs.push_back(ref); }, soci::use(ro, "role"),
            soci::use(ro, "role2"), soci::use(st, "state"), soci::use(st, "state2"),
            soci::use(lim, "limit"), soci::into(ref));
        std::vector<CrossCase> out;
        for (const std::string& r : refs) {
          if (auto c = I.CaseIn(sql, r)) out.push_back(std::move(*c));
        }
        return out;
      });
}

Result<std::vector<CaseCounts>> Service::Counts() {
  Impl& I = *impl_;
  return I.db.Transaction<std::vector<CaseCounts>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<CaseCounts>> {
        std::vector<CaseCounts> out;
        CaseCounts c;
        long long n = 0;
        store::ExecuteRows(
            sql, I.Q("select_counts"),
            [&] {
              c.cases = n;
              out.push_back(c);
            },
            soci::into(c.mode), soci::into(c.role), soci::into(c.partner), soci::into(c.matter),
            soci::into(n));
        return out;
      });
}

Result<std::string> Service::File(std::string_view hash) {
  Impl& I = *impl_;
  const std::string h(hash);
  TB_ASSIGN_OR_RETURN(std::string hex,
                      I.db.Transaction<std::string>(
                          store::TxKind::kRead, [&](soci::session& sql) -> Result<std::string> {
                            std::string content;
                            store::Execute(sql, I.Q("select_file"), soci::use(h, "hash"),
                                           soci::into(content));
                            if (!sql.got_data()) {
                              return Error(ErrorCode::kNotFound, "no material file " + h);
                            }
                            return content;
                          }));
  return crypto::FromHex(hex);
}

}  // namespace tongban::xregion
