// Matching runs: the policy's rule column-wise over the register, the difference against the
// grant roll, explanations for the listed persons only, everything stored in one transaction.
#include <algorithm>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/id.h"
#include "benefits/benefits.h"
#include "benefits/licence_rules.h"
#include "feel/columnar.h"
#include "feel/feel.h"
#include "people/authorization.h"
#include "people/timestamp.h"
#include "registers/columns.h"

namespace tongban::benefits {
namespace {

std::string TraceJson(const feel::Evaluation& e, const LicenceRule& licences) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : e.trace) {
    steps.push_back({{"text", NameLicenceColumns(s.text, licences)},
                     {"value", s.value.ToString()},
                     {"depth", s.depth}});
  }
  return steps.dump();
}

// A decision table's explanation in the trace's shape: one step per line.
std::string TableJson(const dmn::Outcome& o) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& line : o.explanation) {
    steps.push_back({{"text", line}, {"value", o.value.ToString()}, {"depth", 0}});
  }
  return steps.dump();
}

// The amount rule's value in whole fen, or 0 when it gives no whole non-negative number.
int64_t Fen(const feel::Value& v) {
  if (!v.is(feel::Kind::kNumber)) return 0;
  const feel::Decimal d = v.number();
  if (!d.IsInteger() || d.IsNegative()) return 0;
  return d.ToInt64().value_or(0);
}

// A time as register_history writes it (trace::FormatTime: always milliseconds), so that a
// snapshot's time compares with the history's times as text.
std::string HistoryTime(std::string t) {
  if (!t.empty() && t.back() == 'Z' && t.find('.') == std::string::npos) {
    t.insert(t.size() - 1, ".000");
  }
  return t;
}

// registers/columns.cc's schema, in its order (the as-of loader builds the same register).
std::vector<feel::ColumnSpec> PersonColumnSpecs() {
  using feel::ColumnType;
  return {{"age", ColumnType::kNumber, 0},
          {"sex", ColumnType::kString, 0},
          {"birth_date", ColumnType::kDate, 0},
          {"household_region", ColumnType::kString, 0},
          {"income_band", ColumnType::kString, 0},
          {"assistance", ColumnType::kString, 0},
          {"disability_certificate", ColumnType::kBoolean, 0},
          {"disability_category", ColumnType::kString, 0},
          {"disability_level", ColumnType::kNumber, 0},
          {"long_term_care", ColumnType::kBoolean, 0},
          {"status", ColumnType::kString, 0}};
}

// Undoes the changes of one register recorded after `as_of`, newest first per record: for a
// record `index` knows, `created(row)` when it was created after the snapshot, otherwise
// `undo(row, old)` with the old values of the fields that change set; the row's version is
// then the one before the change and its time older than the snapshot.
template <typename Row>
void UndoHistoryAfter(soci::session& sql, const char* register_name, const std::string& as_of,
                      const std::unordered_map<std::string, size_t>& index, std::vector<Row>& rows,
                      const std::function<void(Row&, const nlohmann::json&)>& undo) {
  std::string record, action, old_values, reg(register_name);
  int version = 0;
  soci::statement h =
      (sql.prepare << "SELECT record_id, version, action, old_values FROM register_history "
                      "WHERE register = :register AND changed_at > :as_of "
                      "ORDER BY record_id, version DESC",
       soci::use(reg, "register"), soci::use(as_of, "as_of"), soci::into(record),
       soci::into(version), soci::into(action), soci::into(old_values));
  if (!h.execute(true)) return;
  do {
    auto it = index.find(record);
    if (it == index.end()) continue;
    Row& row = rows[it->second];
    if (action == "created") {
      row.exists = false;
      continue;
    }
    const nlohmann::json old = nlohmann::json::parse(old_values, nullptr, false);
    if (!old.is_object()) continue;
    undo(row, old);
    row.version = version - 1;
    row.updated_at.clear();
  } while (h.fetch());
}

// The old value of a text field, when the change set holds it.
void OldText(const nlohmann::json& old, const char* key, std::string& field) {
  if (auto f = old.find(key); f != old.end() && f->is_string()) field = *f;
}

// One person row as the column loader reads it, so that later changes can be undone.
struct PersonState {
  std::string id, sex, birth, household, income, assistance, category, status, updated_at;
  int level = 0, care = 0, version = 0;
  bool exists = true;
};

// The register as it stood at `as_of`: the current rows with every change recorded after it
// undone, newest first, from the old values register_history keeps (PatchPerson records the
// fields it changed). A person created after it (a "created" history entry, or an imported
// version 1 written after it) is left out. Then cut to `region` and typed like
// registers::LoadPersonColumns.
Result<registers::PersonColumns> LoadPersonColumnsAsOf(registers::Registers& registers,
                                                       std::string_view region, Date reference,
                                                       const std::string& as_of) {
  std::vector<PersonState> rows;
  std::unordered_map<std::string, size_t> by_id;
  TB_RETURN_IF_ERROR(
      registers.db().Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
        PersonState p;
        soci::statement st =
            (sql.prepare << "SELECT id, sex, birth_date, household_region, income_band, "
                            "assistance, disability_category, disability_level, long_term_care, "
                            "status, version, updated_at FROM person ORDER BY id",
             soci::into(p.id), soci::into(p.sex), soci::into(p.birth), soci::into(p.household),
             soci::into(p.income), soci::into(p.assistance), soci::into(p.category),
             soci::into(p.level), soci::into(p.care), soci::into(p.status), soci::into(p.version),
             soci::into(p.updated_at));
        if (st.execute(true)) {
          do {
            by_id[p.id] = rows.size();
            rows.push_back(p);
          } while (st.fetch());
        }
        UndoHistoryAfter<PersonState>(
            sql, "person", as_of, by_id, rows, [](PersonState& row, const nlohmann::json& old) {
              OldText(old, "household_region", row.household);
              OldText(old, "income_band", row.income);
              OldText(old, "assistance", row.assistance);
              OldText(old, "disability_category", row.category);
              OldText(old, "status", row.status);
              if (auto f = old.find("disability_level"); f != old.end() && f->is_number_integer()) {
                row.level = f->get<int>();
              }
              if (auto f = old.find("long_term_care"); f != old.end() && f->is_boolean()) {
                row.care = f->get<bool>() ? 1 : 0;
              }
            });
        return Ok();
      }));
  const std::string lo = region.empty() ? "" : people::RegionPrefix(region);
  feel::RegisterBuilder b(PersonColumnSpecs());
  registers::PersonColumns out;
  for (const PersonState& p : rows) {
    // Imports write no history: a version 1 written after the snapshot did not exist then.
    if (!p.exists || (p.version == 1 && p.updated_at > as_of)) continue;
    if (!lo.empty() && p.household.compare(0, lo.size(), lo) != 0) continue;
    TB_ASSIGN_OR_RETURN(Date born, Date::Parse(p.birth, "birth_date"));
    b.AddRow();
    b.SetNumber(0, registers::AgeAt(born, reference));
    b.SetString(1, p.sex);
    b.SetDate(2, feel::Date::FromDays(born.days()));
    b.SetString(3, p.household);
    b.SetString(4, p.income);
    b.SetString(5, p.assistance);
    b.SetBoolean(6, p.level > 0);
    if (p.level > 0) {
      b.SetString(7, p.category);
      b.SetNumber(8, p.level);
    }
    b.SetBoolean(9, p.care != 0);
    b.SetString(10, p.status);
    out.person_ids.push_back(p.id);
  }
  out.reg = std::move(b).Build();
  return out;
}

// The enterprises registered in `region`'s subtree (empty: all), by USCC, as string columns
// with EntityScope's names: the rows of an entity (notice-only) policy. With `as_of`, the entity
// register as it stood then, like the persons': every change recorded after it undone from
// register_history (newest first), enterprises created after it left out (a "created" entry, or
// an imported version 1 written after it), and only then cut to the region (an enterprise may
// have moved in or out since).
Result<registers::PersonColumns> LoadEntityColumns(registers::Registers& registers,
                                                   std::string_view region,
                                                   const std::string& as_of) {
  struct EntityState {
    std::string uscc, type, industry, size, where, status, updated_at;
    int version = 0;
    bool exists = true;
  };
  const std::string lo = region.empty() ? "" : people::RegionPrefix(region);
  // As of a time, every enterprise is read: the region is the one it had then.
  const std::string read_lo = as_of.empty() ? lo : "";
  const std::string read_hi = read_lo + ":";
  std::vector<EntityState> rows;
  std::unordered_map<std::string, size_t> by_uscc;
  TB_RETURN_IF_ERROR(
      registers.db().Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
        EntityState e;
        soci::statement st =
            (sql.prepare << "SELECT uscc, type, industry, size, registered_region, status, "
                            "version, updated_at FROM entity WHERE registered_region >= :lo AND "
                            "registered_region < :hi ORDER BY uscc",
             soci::use(read_lo, "lo"), soci::use(read_hi, "hi"), soci::into(e.uscc),
             soci::into(e.type), soci::into(e.industry), soci::into(e.size), soci::into(e.where),
             soci::into(e.status), soci::into(e.version), soci::into(e.updated_at));
        if (st.execute(true)) {
          do {
            by_uscc[e.uscc] = rows.size();
            rows.push_back(e);
          } while (st.fetch());
        }
        if (as_of.empty()) return Ok();
        UndoHistoryAfter<EntityState>(sql, "entity", as_of, by_uscc, rows,
                                      [](EntityState& row, const nlohmann::json& old) {
                                        OldText(old, "type", row.type);
                                        OldText(old, "industry", row.industry);
                                        OldText(old, "size", row.size);
                                        OldText(old, "registered_region", row.where);
                                        OldText(old, "status", row.status);
                                      });
        return Ok();
      }));
  using feel::ColumnType;
  feel::RegisterBuilder b({{"type", ColumnType::kString, 0},
                           {"industry", ColumnType::kString, 0},
                           {"size", ColumnType::kString, 0},
                           {"registered_region", ColumnType::kString, 0},
                           {"status", ColumnType::kString, 0}});
  registers::PersonColumns out;
  for (const EntityState& e : rows) {
    if (!as_of.empty() && (!e.exists || (e.version == 1 && e.updated_at > as_of))) continue;
    if (!lo.empty() && e.where.compare(0, lo.size(), lo) != 0) continue;
    b.AddRow();
    b.SetString(0, e.type);
    b.SetString(1, e.industry);
    b.SetString(2, e.size);
    b.SetString(3, e.where);
    b.SetString(4, e.status);
    out.person_ids.push_back(e.uscc);
  }
  out.reg = std::move(b).Build();
  return out;
}

}  // namespace

Result<MatchRun> Benefits::RerunAsOf(const people::Principal& by, std::string_view run_id,
                                     Rerun store) {
  TB_ASSIGN_OR_RETURN(MatchRun stored, GetRun(run_id));
  int digits = 9;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    std::string id(run_id);
    store::Execute(sql, Q("run_group_digits"), soci::use(id, "id"), soci::into(digits));
    return Ok();
  }));
  return Match(by, stored.policy,
               {.region = stored.region,
                .reference = stored.reference,
                .dry_run = store == Rerun::kDryRun,
                .group_digits = digits,
                .as_of = stored.as_of,
                .version = stored.version});
}

Result<MatchRun> Benefits::Match(const people::Principal& by, std::string_view policy_name,
                                 const MatchOptions& options) {
  const Date reference = options.reference ? *options.reference : DateInChina(clock_.Now());
  Policy policy;
  if (options.version > 0) {
    TB_ASSIGN_OR_RETURN(policy, GetPolicy(policy_name, options.version));
  } else {
    TB_ASSIGN_OR_RETURN(policy, PolicyInForce(policy_name, reference));
  }
  const std::string region = options.region.empty() ? policy.region : options.region;
  if (!people::IsRegionCode(region) || !people::RegionCovers(policy.region, region)) {
    return Error(ErrorCode::kInvalidArgument, "the region is outside the policy's scope",
                 {{"region", fmt::format("not within {}", policy.region)}});
  }
  if (options.group_digits < 2 || options.group_digits > 12) {
    return Error(ErrorCode::kInvalidArgument, "bad grouping", {{"group_digits", "2..12"}});
  }
  TB_RETURN_IF_ERROR(people::Authorize(by, "policy.match", {.region = region}, NowMs()));
  int64_t persons = 0;  // the register's rows, once loaded
  auto progress = [&](std::string_view stage, double f) {
    if (options.progress) options.progress({.stage = stage, .fraction = f, .persons = persons});
  };

  MatchRun run;
  run.policy = policy.name;
  run.version = policy.version;
  run.region = region;
  run.reference = reference;
  run.created_by = by.account.id;
  run.as_of = HistoryTime(options.as_of.empty() ? people::FormatTimestamp(NowMs()) : options.as_of);
  progress("load", 0);
  registers::PersonColumns cols;
  const bool entities = policy.subject == Subject::kEntity;
  const char* region_name = entities ? "registered_region" : "household_region";
  if (entities) {
    TB_ASSIGN_OR_RETURN(
        cols, LoadEntityColumns(registers_, region, options.as_of.empty() ? "" : run.as_of));
  } else if (options.as_of.empty()) {
    TB_ASSIGN_OR_RETURN(cols, registers::LoadPersonColumns(registers_, region, reference));
  } else {
    TB_ASSIGN_OR_RETURN(cols, LoadPersonColumnsAsOf(registers_, region, reference, run.as_of));
  }
  // Licences the rule reads: a column each beside the register's (read now, not as of).
  const LicenceRule licences = RewriteLicenceRefs(policy.eligibility);
  if (!licences.refs.empty()) {
    TB_ASSIGN_OR_RETURN(
        cols, WithLicenceColumns(registers_, std::move(cols), licences, policy.subject, reference));
  }
  const feel::Register& reg = cols.reg;
  const size_t n = reg.rows();
  persons = static_cast<int64_t>(n);
  progress("match", 0.4);
  std::vector<uint8_t> eligible(n, 0);
  std::optional<EligibilityTable> table;
  if (!policy.eligibility_table.empty()) {
    // A decision table: person by person through the DMN evaluator (not column-wise).
    TB_ASSIGN_OR_RETURN(table, CompileEligibilityTable(policy.eligibility_table));
    for (size_t row = 0; row < n; ++row) {
      auto o = EvaluateEligibilityTable(
          *table, [&](std::string_view name) { return reg.Cell(reg.Find(name), row); }, false);
      eligible[row] = o.ok() && o->value.is(feel::Kind::kBoolean) && o->value.boolean() ? 1 : 0;
    }
  } else {
    TB_ASSIGN_OR_RETURN(feel::ColumnarRule rule, feel::CompileColumnar(licences.rule, reg));
    for (uint32_t r : rule.Select(std::max(1, options.threads))) eligible[r] = 1;
  }

  progress("difference", 0.6);
  std::unordered_set<std::string> receiving;
  if (policy.kind == PolicyKind::kBenefit) {
    std::string day = reference.ToString();
    TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
      std::string person;
      if (options.as_of.empty()) {
        store::ExecuteRows(
            sql, Q("receiving"), [&] { receiving.insert(person); },
            soci::use(policy.name, "policy"), soci::use(day, "day"), soci::into(person));
      } else {
        // The roll's times are people::FormatTimestamp's (no ".000" on whole seconds).
        std::string roll_as_of = run.as_of;
        if (roll_as_of.ends_with(".000Z")) roll_as_of.replace(roll_as_of.size() - 5, 5, "Z");
        store::ExecuteRows(
            sql, Q("receiving_as_of"), [&] { receiving.insert(person); },
            soci::use(policy.name, "policy"), soci::use(roll_as_of, "as_of"), soci::use(day, "day"),
            soci::use(day, "day2"), soci::into(person));
        // A reviewer's stop after the snapshot ended a grant that was running then: such
        // grants count as received (their start and creation still before the snapshot).
        std::vector<std::string> stopped;
        store::ExecuteRows(
            sql, Q("stopped_after"), [&] { stopped.push_back(person); },
            soci::use(policy.name, "policy"), soci::use(roll_as_of, "as_of"), soci::into(person));
        for (const auto& s : stopped) {
          std::string since;
          if (store::Execute(sql, Q("grant_started_before"), soci::use(policy.name, "policy"),
                             soci::use(s, "person_id"), soci::use(roll_as_of, "as_of"),
                             soci::use(day, "day"), soci::into(since))
                  .got_data) {
            receiving.insert(s);
          }
        }
      }
      return Ok();
    }));
  }

  // Interpreted rules for the listed rows only: slots are the register's columns in order.
  feel::Scope scope;
  for (const auto& c : reg.columns()) scope.Declare(c.spec.name);
  TB_ASSIGN_OR_RETURN(feel::Program explain, feel::Compile(table ? "true" : licences.rule, scope));
  std::optional<feel::Program> amount;
  if (policy.kind == PolicyKind::kBenefit) {
    TB_ASSIGN_OR_RETURN(amount, feel::Compile(policy.amount, scope));
  }
  const int region_col = reg.Find(region_name);
  TB_ASSIGN_OR_RETURN(feel::Grouping groups,
                      feel::Grouping::ByPrefix(reg, region_name, options.group_digits));
  std::vector<RegionCounts> per_group(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) per_group[g].region = groups.key(g).value_or("");
  feel::Bindings bindings(scope);
  for (size_t row = 0; row < n; ++row) {
    if (row % 4096 == 4095) progress("difference", 0.6 + 0.2 * static_cast<double>(row) / n);
    RegionCounts& counts = per_group[groups.row_groups()[row]];
    ++counts.screened;
    const bool is_eligible = eligible[row] != 0;
    const bool is_receiving = !receiving.empty() && receiving.contains(cols.person_ids[row]);
    if (is_eligible) ++counts.eligible;
    if (is_eligible == is_receiving) continue;
    (is_eligible ? counts.eligible_not_receiving : counts.no_longer_eligible)++;
    for (size_t c = 0; c < reg.columns().size(); ++c) {
      bindings.Set(static_cast<int>(c), reg.Cell(c, row));
    }
    MatchResult r;
    r.person_id = cols.person_ids[row];
    r.region = reg.Cell(region_col, row).string();
    r.kind = is_eligible ? "eligible_not_receiving" : "no_longer_eligible";
    if (table) {
      auto o = EvaluateEligibilityTable(
          *table, [&](std::string_view name) { return reg.Cell(reg.Find(name), row); }, true);
      r.explanation = o.ok() ? TableJson(*o) : "[]";
    } else {
      r.explanation = TraceJson(explain.Evaluate(bindings, {.trace = true}), licences);
    }
    if (is_eligible && amount) r.amount_fen = Fen(amount->EvaluateFast(bindings));
    run.results.push_back(std::move(r));
  }
  for (auto& g : per_group) {
    if (g.screened == 0) continue;
    run.total.screened += g.screened;
    run.total.eligible += g.eligible;
    run.total.eligible_not_receiving += g.eligible_not_receiving;
    run.total.no_longer_eligible += g.no_longer_eligible;
    run.regions.push_back(std::move(g));
  }
  run.total.region = region;
  if (options.dry_run) {
    progress("done", 1);
    return run;
  }

  progress("write", 0.8);
  run.id = NewId(clock_);
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    std::string ref = run.reference.ToString();
    int digits = options.group_digits;
    store::Execute(sql, Q("insert_run"), soci::use(run.id, "id"), soci::use(run.policy, "policy"),
                   soci::use(run.version, "version"), soci::use(run.region, "region"),
                   soci::use(ref, "reference_date"), soci::use(run.as_of, "as_of"),
                   soci::use(run.created_by, "created_by"), soci::use(digits, "group_digits"),
                   soci::use(run.total.screened, "screened"),
                   soci::use(run.total.eligible, "eligible"),
                   soci::use(run.total.eligible_not_receiving, "eligible_not_receiving"),
                   soci::use(run.total.no_longer_eligible, "no_longer_eligible"));
    for (auto& g : run.regions) {
      store::Execute(sql, Q("insert_run_region"), soci::use(run.id, "run_id"),
                     soci::use(g.region, "region"), soci::use(g.screened, "screened"),
                     soci::use(g.eligible, "eligible"),
                     soci::use(g.eligible_not_receiving, "eligible_not_receiving"),
                     soci::use(g.no_longer_eligible, "no_longer_eligible"));
    }
    int written = 0;
    for (auto& r : run.results) {
      if (options.fail_after_results > 0 && written == options.fail_after_results) {
        return Error(ErrorCode::kUnavailable, "interrupted (test)");
      }
      if (written % 1024 == 1023) {
        progress("write", 0.8 + 0.2 * written / static_cast<double>(run.results.size()));
      }
      store::Execute(sql, Q("insert_result"), soci::use(run.id, "run_id"),
                     soci::use(r.person_id, "person_id"), soci::use(r.region, "region"),
                     soci::use(r.kind, "kind"), soci::use(r.amount_fen, "amount_fen"),
                     soci::use(r.explanation, "explanation"));
      ++written;
    }
    return Ok();
  }));
  progress("done", 1);
  return run;
}

Result<std::vector<MatchRun>> Benefits::RunDue(const people::Principal& by) {
  const Date today = DateInChina(clock_.Now());
  TB_ASSIGN_OR_RETURN(std::vector<Policy> policies, ListPolicies());
  std::vector<MatchRun> runs;
  for (const auto& newest : policies) {
    auto policy = PolicyInForce(newest.name, today);
    if (!policy.ok()) continue;  // no version in force today
    std::string latest;
    TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
      store::Execute(sql, Q("latest_run_reference"), soci::use(policy->name, "policy"),
                     soci::into(latest));
      return Ok();
    }));
    const std::string now = today.ToString();
    const size_t digits = policy->cycle == Cycle::kMonthly ? 7 : 4;
    const bool due = latest.empty() || (policy->cycle != Cycle::kOnce &&
                                        latest.substr(0, digits) != now.substr(0, digits));
    if (!due) continue;
    TB_ASSIGN_OR_RETURN(MatchRun run, Match(by, policy->name, {.reference = today}));
    run.results.clear();
    runs.push_back(std::move(run));
  }
  return runs;
}

Result<MatchRun> Benefits::GetRun(std::string_view run_id) {
  MatchRun run;
  run.id = std::string(run_id);
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    std::string ref;
    int digits = 0;
    if (!store::Execute(sql, Q("get_run"), soci::use(run.id, "id"), soci::into(run.policy),
                        soci::into(run.version), soci::into(run.region), soci::into(ref),
                        soci::into(run.as_of), soci::into(run.created_by), soci::into(digits),
                        soci::into(run.total.screened), soci::into(run.total.eligible),
                        soci::into(run.total.eligible_not_receiving),
                        soci::into(run.total.no_longer_eligible))
             .got_data) {
      return Error(ErrorCode::kNotFound, fmt::format("no matching run {}", run_id));
    }
    TB_ASSIGN_OR_RETURN(run.reference, Date::Parse(ref));
    run.total.region = run.region;
    RegionCounts g;
    store::ExecuteRows(
        sql, Q("run_regions"), [&] { run.regions.push_back(g); }, soci::use(run.id, "run_id"),
        soci::into(g.region), soci::into(g.screened), soci::into(g.eligible),
        soci::into(g.eligible_not_receiving), soci::into(g.no_longer_eligible));
    return Ok();
  }));
  return run;
}

Result<Benefits::RunPage> Benefits::Runs(const people::Principal& by, std::string_view policy,
                                         std::string_view before, int limit) {
  if (limit < 1 || limit > 1000) {
    return Error(ErrorCode::kInvalidArgument, "bad limit", {{"limit", "1..1000"}});
  }
  if (auto p = GetPolicy(policy); !p.ok()) return p.error();
  RunPage page;
  int read = 0;
  const int64_t now = NowMs();
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    std::string name(policy), b(before), ref, last;
    MatchRun r;
    store::ExecuteRows(
        sql, Q("policy_runs"),
        [&] {
          ++read;
          last = r.id;
          if (!people::Authorize(by, "policy.match", {.region = r.region}, now).ok()) return;
          r.policy = name;
          r.total.region = r.region;
          if (auto d = Date::Parse(ref); d.ok()) r.reference = *d;
          page.runs.push_back(r);
        },
        soci::use(name, "policy"), soci::use(b, "before"), soci::use(b, "before2"),
        soci::use(limit, "limit"), soci::into(r.id), soci::into(r.version), soci::into(r.region),
        soci::into(ref), soci::into(r.as_of), soci::into(r.created_by),
        soci::into(r.total.screened), soci::into(r.total.eligible),
        soci::into(r.total.eligible_not_receiving), soci::into(r.total.no_longer_eligible));
    if (read == limit) page.next = last;
    return Ok();
  }));
  return page;
}

Result<std::vector<MatchResult>> Benefits::RunResults(std::string_view run_id,
                                                      std::string_view kind, std::string_view after,
                                                      int limit) {
  if (limit < 1 || limit > 100000) {
    return Error(ErrorCode::kInvalidArgument, "bad limit", {{"limit", "1..100000"}});
  }
  if (!kind.empty() && kind != "eligible_not_receiving" && kind != "no_longer_eligible") {
    return Error(ErrorCode::kInvalidArgument, "bad kind",
                 {{"kind", "eligible_not_receiving or no_longer_eligible"}});
  }
  if (auto run = GetRun(run_id); !run.ok()) return run.error();
  std::vector<MatchResult> out;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    std::string id(run_id), k(kind), a(after);
    MatchResult r;
    store::ExecuteRows(
        sql, Q("run_results"), [&] { out.push_back(r); }, soci::use(id, "run_id"),
        soci::use(a, "after"), soci::use(k, "kind"), soci::use(limit, "limit"),
        soci::into(r.person_id), soci::into(r.region), soci::into(r.kind), soci::into(r.amount_fen),
        soci::into(r.explanation));
    return Ok();
  }));
  return out;
}

Result<std::pair<bool, std::string>> Benefits::Explain(const people::Principal& by,
                                                       std::string_view policy_name,
                                                       std::string_view person_id, Date reference) {
  TB_ASSIGN_OR_RETURN(Policy policy, PolicyInForce(policy_name, reference));
  TB_ASSIGN_OR_RETURN(registers::Person person, registers_.GetPerson(by, person_id));
  const feel::Scope scope = registers::PersonScope();
  if (!policy.eligibility_table.empty()) {
    TB_ASSIGN_OR_RETURN(EligibilityTable table, CompileEligibilityTable(policy.eligibility_table));
    const feel::Bindings b = registers::PersonBindings(scope, person, reference);
    TB_ASSIGN_OR_RETURN(
        dmn::Outcome o,
        EvaluateEligibilityTable(
            table, [&](std::string_view name) { return b.Get(scope.Find(name)); }, true));
    const bool yes = o.value.is(feel::Kind::kBoolean) && o.value.boolean();
    return std::pair<bool, std::string>(yes, TableJson(o));
  }
  const LicenceRule licences = RewriteLicenceRefs(policy.eligibility);
  if (!licences.refs.empty()) {
    // The person's row of the register with the licence columns beside it.
    TB_ASSIGN_OR_RETURN(
        registers::PersonColumns cols,
        registers::LoadPersonColumns(registers_, person.household_region, reference));
    TB_ASSIGN_OR_RETURN(cols, WithLicenceColumns(registers_, std::move(cols), licences,
                                                 Subject::kPerson, reference));
    const auto at = std::find(cols.person_ids.begin(), cols.person_ids.end(), person.id);
    if (at == cols.person_ids.end()) {
      return Error(ErrorCode::kNotFound, fmt::format("no person {}", person_id));
    }
    const size_t row = static_cast<size_t>(at - cols.person_ids.begin());
    feel::Scope with;
    for (const auto& c : cols.reg.columns()) with.Declare(c.spec.name);
    TB_ASSIGN_OR_RETURN(feel::Program rule, feel::Compile(licences.rule, with));
    feel::Bindings b(with);
    for (size_t c = 0; c < cols.reg.columns().size(); ++c) {
      b.Set(static_cast<int>(c), cols.reg.Cell(c, row));
    }
    feel::Evaluation e = rule.Evaluate(b, {.trace = true});
    const bool yes = e.value.is(feel::Kind::kBoolean) && e.value.boolean();
    return std::pair<bool, std::string>(yes, TraceJson(e, licences));
  }
  TB_ASSIGN_OR_RETURN(feel::Program rule, feel::Compile(policy.eligibility, scope));
  feel::Evaluation e =
      rule.Evaluate(registers::PersonBindings(scope, person, reference), {.trace = true});
  const bool yes = e.value.is(feel::Kind::kBoolean) && e.value.boolean();
  return std::pair<bool, std::string>(yes, TraceJson(e, licences));
}

}  // namespace tongban::benefits
