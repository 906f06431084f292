// Pre-filling a 30-field form (registers/forms.h): 20 fields from the person, 6 from the entity,
// 4 from licences, 10 of them with a validation. Per-fill latency over many fills, p50/p99/max:
// once with the form compiled per call (compile + fill) and once with it compiled once (fill).
//
//   register_prefill_bench [FILLS]     (FILLS 20000)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <fmt/format.h>

#include "registers/forms.h"

using namespace tongban;  // NOLINT(google-build-using-namespace): a benchmark's main

namespace {

std::vector<catalog::FormField> ThirtyFields() {
  const char* person[] = {"person.name",
                          "person.id_number",
                          "person.sex",
                          "person.birth_date",
                          "person.age",
                          "person.household_region",
                          "person.address",
                          "person.phone",
                          "person.income_band",
                          "person.assistance",
                          "person.long_term_care",
                          "person.status",
                          "substring(person.household_region, 1, 6)",
                          "if person.age >= 60 then \"老年人\" else \"一般\"",
                          "person.disability.level",
                          "person.disability.category",
                          "string length(person.name)",
                          "upper case(person.id_number)",
                          "person.name + \"（申请人）\"",
                          "person.birth_date.year"};
  const char* entity[] = {"entity.name",     "entity.uscc", "entity.legal_representative",
                          "entity.industry", "entity.size", "entity.registered_region"};
  const char* licence[] = {"licence(\"营业执照\").name", "licence(\"营业执照\").address",
                           "licence(\"营业执照\").scope", "licence(\"食品经营许可证\").id"};
  std::vector<catalog::FormField> out;
  auto add = [&](const char* prefill) {
    catalog::FormField f;
    f.name = fmt::format("f{}", out.size());
    f.label = f.name;
    f.prefill = prefill;
    if (out.size() % 3 == 0) {
      f.validation = "not(null)";
      f.validation_message = "必填";
    }
    out.push_back(std::move(f));
  };
  for (const char* p : person) add(p);
  for (const char* e : entity) add(e);
  for (const char* l : licence) add(l);
  return out;
}

registers::FormSubject Subject() {
  registers::FormSubject s;
  registers::Person p;
  p.id_number = "43112819800215123X";
  p.name = "张三";
  p.birth_date = *Date::Parse("1980-02-15");
  p.household_region = "431128001001";
  p.address = "新田县龙泉镇1号";
  p.phone = "13812345678";
  p.disability = registers::Disability{.certificate = p.id_number + "42"};
  s.person = p;
  registers::Entity e;
  e.uscc = "91431128MA4L0A019K";
  e.name = "新田县富硒农产品有限公司";
  e.legal_representative = "张三";
  e.industry = "A0141";
  e.registered_region = "431128";
  s.entity = e;
  s.licences["营业执照"] = {{"id", "L1"},
                            {"name", "新田县富硒农产品有限公司"},
                            {"address", "新田县龙泉镇"},
                            {"scope", "农产品销售"}};
  s.licences["食品经营许可证"] = {{"id", "JY14311280000001"}};
  return s;
}

void Report(const char* what, std::vector<double>& us) {
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    return us[static_cast<size_t>(q * static_cast<double>(us.size() - 1))];
  };
  std::printf("%-30s fills %zu  p50 %.1f us  p99 %.1f us  max %.1f us\n", what, us.size(), at(0.5),
              at(0.99), us.back());
}

}  // namespace

int main(int argc, char** argv) {
  const int fills = argc > 1 ? std::atoi(argv[1]) : 20000;
  const auto form = ThirtyFields();
  const auto subject = Subject();
  const Date today = *Date::Parse("2026-11-26");
  if (auto check = registers::FormFiller::Compile(form); !check.ok()) {
    std::fprintf(stderr, "%s\n", check.error().ToString().c_str());
    return 1;
  }
  size_t filled = 0;
  std::vector<double> us;
  us.reserve(static_cast<size_t>(fills));
  for (int i = 0; i < fills; ++i) {
    const auto t = std::chrono::steady_clock::now();
    auto filler = registers::FormFiller::Compile(form);
    auto fields = filler->Fill(subject, today);
    us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t).count());
    filled = static_cast<size_t>(std::count_if(fields.begin(), fields.end(),
                                               [](const auto& f) { return !f.value.is_null(); }));
  }
  Report("compile + fill (30 fields)", us);
  auto filler = registers::FormFiller::Compile(form);
  if (!filler.ok()) {
    std::fprintf(stderr, "%s\n", filler.error().ToString().c_str());
    return 1;
  }
  us.clear();
  for (int i = 0; i < fills; ++i) {
    const auto t = std::chrono::steady_clock::now();
    auto fields = filler->Fill(subject, today);
    us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t).count());
  }
  Report("fill only (compiled once)", us);
  std::printf("fields pre-filled: %zu of %zu\n", filled, form.size());
  return filled == form.size() ? 0 : 1;
}
