#include "benefits/grant_cases.h"

#include <fmt/format.h>

#include "base/embedded.h"
#include "feel/feel.h"
#include "people/timestamp.h"
#include "registers/columns.h"

namespace tongban {
extern const EmbeddedFile kBenefitsFiles[];
extern const size_t kBenefitsFiles_count;
}  // namespace tongban

namespace tongban::benefits {
namespace {

// A form value as the case form takes it: text as is, numbers and booleans written out; null
// leaves the field out (the clerk or the person completes it).
std::optional<std::string> FormText(const feel::Value& v) {
  if (v.is(feel::Kind::kString)) return v.string();
  if (v.is(feel::Kind::kBoolean)) return std::string(v.boolean() ? "true" : "false");
  if (v.is(feel::Kind::kNumber)) return v.number().ToString();
  if (v.is_null()) return std::nullopt;
  return v.ToString();
}

}  // namespace

Result<std::unique_ptr<GrantCases>> GrantCases::Create(store::Database& db, Benefits& benefits,
                                                       registers::Registers& registers,
                                                       cases::CaseService& cases,
                                                       GrantCaseOptions options) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries,
                      store::QuerySet::Load(kBenefitsFiles, kBenefitsFiles_count));
  return std::unique_ptr<GrantCases>(
      new GrantCases(db, benefits, registers, cases, std::move(options), std::move(queries)));
}

Result<std::string> GrantCases::Open(const GrantRequest& request) {
  TB_ASSIGN_OR_RETURN(Policy policy, benefits_.GetPolicy(request.policy, request.version));
  if (policy.kind != PolicyKind::kBenefit) {
    return Error(ErrorCode::kConflict, "a notice-only policy grants nothing",
                 {{"policy", policy.name}});
  }
  TB_ASSIGN_OR_RETURN(registers::Person person,
                      registers_.ReadPersonFull(
                          options_.submitter, request.person_id,
                          {.code = "proactive_grant",
                           .text = fmt::format("免申即享：{}（{}）", policy.title, policy.name)}));
  cases::SubmitRequest submit;
  submit.matter = policy.matter;
  submit.scenario = options_.scenario;
  submit.channel = cases::Channel::kAssisted;
  submit.applicant_kind = cases::ApplicantKind::kPerson;
  submit.applicant_code = person.id_number;
  submit.applicant_name = person.name;
  const feel::Scope scope = registers::PersonScope();
  const feel::Bindings bindings = registers::PersonBindings(scope, person, request.start);
  for (const auto& [field, rule] : policy.case_form) {
    TB_ASSIGN_OR_RETURN(feel::Program program, feel::Compile(rule, scope));
    if (auto text = FormText(program.EvaluateFast(bindings)); text) submit.form[field] = *text;
  }
  for (const auto& [field, value] : request.form) submit.form[field] = value;
  for (const auto& name : policy.case_materials) {
    submit.materials.push_back({.name = name,
                                .state = cases::MaterialState::kProvided,
                                .origin = cases::MaterialOrigin::kRegister,
                                .reference = "person/" + person.id,
                                .due_on = std::nullopt});
  }
  submit.idempotency_key = fmt::format("grant:{}:{}", request.run_id, request.person_id);
  TB_ASSIGN_OR_RETURN(cases::SubmitResult submitted, cases_.Submit(options_.submitter, submit));
  std::string number = submitted.record.number, policy_name = request.policy, run = request.run_id,
              person_id = request.person_id, region = request.region,
              start = request.start.ToString(),
              now = people::FormatTimestamp(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                registers_.clock().Now().time_since_epoch())
                                                .count());
  int64_t version = policy.version, fen = request.amount_fen;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    store::Execute(sql, Q("insert_grant_case"), soci::use(number, "case_number"),
                   soci::use(policy_name, "policy"), soci::use(version, "version"),
                   soci::use(run, "run_id"), soci::use(person_id, "person_id"),
                   soci::use(region, "region"), soci::use(fen, "amount_fen"),
                   soci::use(start, "start_date"), soci::use(now, "created_at"));
    return Ok();
  }));
  return number;
}

Result<std::string> GrantCases::CaseOf(std::string_view run_id, std::string_view person_id) {
  std::string run(run_id), person(person_id), number;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    if (!store::Execute(sql, Q("grant_case_of"), soci::use(run, "run_id"),
                        soci::use(person, "person_id"), soci::into(number))
             .got_data) {
      return Error(ErrorCode::kNotFound, "no grant case for this person in this run",
                   {{"person_id", person}});
    }
    return Ok();
  }));
  return number;
}

Status GrantCases::OnCaseChanged(soci::session& sql, const cases::CaseChange& change) {
  const std::string_view action = change.action;
  if (action == "case.approved" || action == "case.denied" || action == "case.concluded") {
    std::string number = change.record.number, policy, run, person, region, start, decision;
    long long fen = 0;
    if (store::Execute(sql, Q("grant_case"), soci::use(number, "case_number"), soci::into(policy),
                       soci::into(run), soci::into(person), soci::into(region), soci::into(fen),
                       soci::into(start), soci::into(decision))
            .got_data) {
      if (action != "case.concluded") {
        std::string d = action == "case.approved" ? "approved" : "denied";
        store::Execute(sql, Q("set_grant_case_decision"), soci::use(d, "decision"),
                       soci::use(number, "case_number"));
      } else if (decision == "approved") {
        std::string end,
            source = "case", by = change.actor.account.id,
            now = people::FormatTimestamp(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              registers_.clock().Now().time_since_epoch())
                                              .count());
        int64_t amount = fen;
        store::Execute(sql, Q("insert_grant"), soci::use(policy, "policy"),
                       soci::use(person, "person_id"), soci::use(start, "start_date"),
                       soci::use(end, "end_date"), soci::use(amount, "amount_fen"),
                       soci::use(region, "region"), soci::use(source, "source"),
                       soci::use(run, "run_id"), soci::use(now, "created_at"),
                       soci::use(by, "created_by"));
      }
    }
  }
  return options_.next != nullptr ? options_.next->OnCaseChanged(sql, change) : Ok();
}

}  // namespace tongban::benefits
