#include "registers/columns.h"

#include <fmt/format.h>

#include "people/authorization.h"

namespace tongban::registers {
namespace {

enum Col : size_t {
  kAge,
  kSex,
  kBirthDate,
  kHouseholdRegion,
  kIncomeBand,
  kAssistance,
  kCertificate,
  kCategory,
  kLevel,
  kCare,
  kStatus,
};

std::vector<feel::ColumnSpec> Schema() {
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

}  // namespace

int AgeAt(Date birth, Date reference) {
  const CivilDate b = birth.civil();
  const CivilDate r = reference.civil();
  int age = r.year - b.year;
  if (r.month < b.month || (r.month == b.month && r.day < b.day)) --age;
  return age;
}

Result<PersonColumns> LoadPersonColumns(Registers& registers, std::string_view region,
                                        Date reference) {
  std::string where;
  std::string lo, hi;
  if (!region.empty()) {
    if (!people::IsRegionCode(region)) {
      return Error(ErrorCode::kInvalidArgument, "bad region", {{"region", "not a region code"}});
    }
    lo = people::RegionPrefix(region);
    hi = lo + ":";
    where = " WHERE household_region >= :lo AND household_region < :hi";
  }
  const std::string query = fmt::format(
      "SELECT id, sex, birth_date, household_region, income_band, assistance, "
      "disability_category, disability_level, long_term_care, status FROM person{} ORDER BY id",
      where);
  feel::RegisterBuilder b(Schema());
  PersonColumns out;
  TB_RETURN_IF_ERROR(
      registers.db().Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
        std::string id, sex, birth, household, income, assistance, category, status;
        int level = 0;
        int care = 0;
        soci::statement st(sql);
        st.exchange(soci::into(id));
        st.exchange(soci::into(sex));
        st.exchange(soci::into(birth));
        st.exchange(soci::into(household));
        st.exchange(soci::into(income));
        st.exchange(soci::into(assistance));
        st.exchange(soci::into(category));
        st.exchange(soci::into(level));
        st.exchange(soci::into(care));
        st.exchange(soci::into(status));
        if (!region.empty()) {
          st.exchange(soci::use(lo, "lo"));
          st.exchange(soci::use(hi, "hi"));
        }
        st.alloc();
        st.prepare(query);
        st.define_and_bind();
        if (!st.execute(true)) return Ok();
        do {
          TB_ASSIGN_OR_RETURN(Date born, Date::Parse(birth, "birth_date"));
          b.AddRow();
          b.SetNumber(kAge, AgeAt(born, reference));
          b.SetString(kSex, sex);
          b.SetDate(kBirthDate, feel::Date::FromDays(born.days()));
          b.SetString(kHouseholdRegion, household);
          b.SetString(kIncomeBand, income);
          b.SetString(kAssistance, assistance);
          b.SetBoolean(kCertificate, level > 0);
          if (level > 0) {
            b.SetString(kCategory, category);
            b.SetNumber(kLevel, level);
          }
          b.SetBoolean(kCare, care != 0);
          b.SetString(kStatus, status);
          out.person_ids.push_back(id);
        } while (st.fetch());
        return Ok();
      }));
  out.reg = std::move(b).Build();
  return out;
}

feel::Scope PersonScope() {
  feel::Scope scope;
  for (const auto& spec : Schema()) scope.Declare(spec.name);
  return scope;
}

feel::Bindings PersonBindings(const feel::Scope& scope, const Person& p, Date reference) {
  feel::Bindings b(scope);
  auto set = [&](std::string_view name, feel::Value v) { b.Set(scope.Find(name), std::move(v)); };
  set("age", feel::Value::Number(AgeAt(p.birth_date, reference)));
  set("sex", feel::Value::String(std::string(SexName(p.sex))));
  set("birth_date", feel::Value::FromDate(feel::Date::FromDays(p.birth_date.days())));
  set("household_region", feel::Value::String(p.household_region));
  set("income_band", feel::Value::String(std::string(IncomeBandName(p.income_band))));
  set("assistance", feel::Value::String(std::string(AssistanceName(p.assistance))));
  set("disability_certificate", feel::Value::Boolean(p.disability.has_value()));
  if (p.disability) {
    set("disability_category",
        feel::Value::String(std::string(DisabilityCategoryName(p.disability->category))));
    set("disability_level", feel::Value::Number(p.disability->level));
  }
  set("long_term_care", feel::Value::Boolean(p.long_term_care));
  set("status", feel::Value::String(std::string(PersonStatusName(p.status))));
  return b;
}

}  // namespace tongban::registers
