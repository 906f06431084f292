#include "catalog/validate.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

#include "base/region.h"
#include "base/uscc.h"
#include "base/utf8.h"
#include "catalog/guide.h"
#include "catalog/text.h"
#include "feel/feel.h"

namespace tongban::catalog {

const feel::Scope& PrefillScope() {
  static const feel::Scope* scope = [] {
    auto* s = new feel::Scope();
    s->Declare("person");
    s->Declare("entity");
    s->Declare("applicant");
    s->AddFunction(
        {"licence", {"type"}, 1, false, [](std::span<const feel::Value>, feel::CallContext&) {
           return feel::Value();
         }});
    return s;
  }();
  return *scope;
}

const feel::Scope& JurisdictionScope() {
  static const feel::Scope* scope = [] {
    auto* s = new feel::Scope();
    for (const char* name : {"applicant", "person", "entity", "form", "case"}) s->Declare(name);
    return s;
  }();
  return *scope;
}

const feel::Scope& AutoDecisionScope() {
  static const feel::Scope* scope = [] {
    auto* s = new feel::Scope();
    for (const char* name : {"form", "applicant", "person", "entity", "materials"}) {
      s->Declare(name);
    }
    return s;
  }();
  return *scope;
}

namespace {

using Members = std::map<std::string, std::set<std::string, std::less<>>, std::less<>>;

// `rule`'s FEEL problems over `scope`, then each `name.member` whose name is one of `contexts`'
// contexts and whose member it lacks (outside string literals and comments).
std::vector<feel::Diagnostic> CheckMembers(std::string_view rule, const feel::Scope& scope,
                                           const Members& contexts) {
  std::vector<feel::Diagnostic> out = feel::Check(rule, scope);
  if (!out.empty()) return out;
  const auto ident = [](char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (!first && c >= '0' && c <= '9');
  };
  int line = 1, column = 1;
  size_t i = 0;
  const auto advance = [&](size_t to) {
    for (; i < to && i < rule.size(); ++i) {
      if (rule[i] == '\n') {
        ++line;
        column = 1;
      } else if (!utf8::IsContinuation(rule[i])) {
        ++column;
      }
    }
  };
  while (i < rule.size()) {
    const char c = rule[i];
    if (c == '"') {  // a string literal: skipped up to its closing quote
      size_t j = i + 1;
      while (j < rule.size() && rule[j] != '"') j += rule[j] == '\\' ? 2 : 1;
      advance(j + 1);
      continue;
    }
    if (rule.substr(i, 2) == "//") {
      advance(std::min(rule.find('\n', i), rule.size()));
      continue;
    }
    if (rule.substr(i, 2) == "/*") {
      const size_t end = rule.find("*/", i + 2);
      advance(end == std::string_view::npos ? rule.size() : end + 2);
      continue;
    }
    if (!ident(c, true) || (i > 0 && (ident(rule[i - 1], false) || rule[i - 1] == '.'))) {
      advance(i + 1);
      continue;
    }
    size_t end = i;
    while (end < rule.size() && ident(rule[end], false)) ++end;
    auto members = contexts.find(rule.substr(i, end - i));
    size_t dot = end;
    while (dot < rule.size() && rule[dot] == ' ') ++dot;
    if (members != contexts.end() && dot < rule.size() && rule[dot] == '.') {
      size_t m = dot + 1;
      while (m < rule.size() && rule[m] == ' ') ++m;
      size_t m_end = m;
      while (m_end < rule.size() && ident(rule[m_end], m_end == m)) ++m_end;
      const std::string_view member = rule.substr(m, m_end - m);
      if (!member.empty() && !members->second.contains(member)) {
        advance(m);
        out.push_back({.line = line,
                       .column = column,
                       .message = fmt::format("'{}' has no member '{}'; it has {}", members->first,
                                              member, fmt::join(members->second, ", "))});
      }
      advance(std::max(m_end, m));
      continue;
    }
    advance(end);
  }
  return out;
}

}  // namespace

std::vector<feel::Diagnostic> CheckJurisdiction(std::string_view rule) {
  // The members of the two contexts whose shape is fixed here (sources/jurisdiction.cc builds
  // them); `person` and `entity` are the registers' records and `form` the scenario's fields.
  static const Members kMembers = {{"applicant",
                                    {"kind", "code", "name", "region", "household_region",
                                     "address", "registered_region", "age"}},
                                   {"case", {"matter", "region", "channel", "form"}}};
  return CheckMembers(rule, JurisdictionScope(), kMembers);
}

const Members& AutoDecisionMembers() {
  // `person` and `entity` are what registers::PersonValue and EntityValue bind.
  static const Members kMembers = {
      {"applicant", {"kind", "code", "name"}},
      {"person",
       {"id_number", "name", "sex", "birth_date", "age", "household_region", "address", "phone",
        "income_band", "assistance", "disability", "long_term_care", "status"}},
      {"entity",
       {"uscc", "name", "type", "legal_representative", "industry", "size", "registered_region",
        "status"}}};
  return kMembers;
}

std::vector<feel::Diagnostic> CheckAutoDecision(std::string_view rule) {
  return CheckMembers(rule, AutoDecisionScope(), AutoDecisionMembers());
}

namespace {

constexpr size_t kMaxCodeBytes = 64;
constexpr size_t kMaxLineBytes = 1000;
constexpr size_t kMaxTextBytes = 65536;
constexpr int kMaxLimitValue = 10000;
constexpr int kMaxVisits = 100;
constexpr int kMaxVerificationDays = 3650;         // 告知承诺 核查: ten years at most
constexpr int kMaxReuseDays = 3650;                // ten years: no document stands longer unrenewed
constexpr int kMaxRequestDays = 60;                // working days an issuer may be given to answer
constexpr int64_t kMaxFeeFen = 1'000'000'000'000;  // ten billion yuan

enum class TextShape { kLine, kMultiLine };
enum class Need { kRequired, kOptional };

// The region list and the USCC validator of src/base (never re-implemented here); nullopt when
// the code is fine, else why not.
std::optional<std::string> RegionProblem(std::string_view code, const KnownCodes& known);
std::optional<std::string> UsccProblem(std::string_view code);

class Checker {
 public:
  Checker(const KnownCodes& known, FieldErrors& errors) : known_(known), errors_(errors) {}

  void Add(std::string path, std::string message) {
    errors_.Add(std::move(path), std::move(message));
  }

  // Free text: present when required, valid UTF-8, no control characters (a multi-line text
  // may hold line breaks and tabs), bounded.
  bool Text(const std::string& path, std::string_view value, Need need,
            TextShape shape = TextShape::kLine) {
    if (value.empty()) {
      if (need == Need::kRequired) Add(path, "is required");
      return need == Need::kOptional;
    }
    if (!utf8::IsValid(value)) {
      Add(path, "is not valid UTF-8");
      return false;
    }
    const size_t max = shape == TextShape::kLine ? kMaxLineBytes : kMaxTextBytes;
    if (value.size() > max) {
      Add(path, fmt::format("is longer than {} bytes", max));
      return false;
    }
    for (unsigned char c : value) {
      const bool allowed_break =
          shape == TextShape::kMultiLine && (c == '\n' || c == '\t' || c == '\r');
      if ((c < 0x20 && !allowed_break) || c == 0x7F) {
        Add(path, "holds a control character");
        return false;
      }
    }
    if (value.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      Add(path, "is blank");
      return false;
    }
    return true;
  }

  // A code: 1–64 characters of [0-9A-Za-z._-].
  bool Code(const std::string& path, std::string_view value, Need need = Need::kRequired) {
    if (value.empty()) {
      if (need == Need::kRequired) Add(path, "is required");
      return false;
    }
    if (value.size() > kMaxCodeBytes) {
      Add(path, fmt::format("is longer than {} characters", kMaxCodeBytes));
      return false;
    }
    for (char c : value) {
      const bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      c == '.' || c == '_' || c == '-';
      if (!ok) {
        Add(path,
            fmt::format("'{}' may hold only letters, digits, '.', '_' and '-'", Excerpt(value)));
        return false;
      }
    }
    return true;
  }

  // A region code in the catalog: 6 or 12 digits and in the region list.
  void RegionCode(const std::string& path, std::string_view value) {
    if (value.empty()) {
      Add(path, "is required");
      return;
    }
    const bool digits = value.find_first_not_of("0123456789") == std::string_view::npos;
    if (!digits || (value.size() != 6 && value.size() != 12)) {
      Add(path, fmt::format("'{}' must be a region code of 6 or 12 digits", Excerpt(value)));
      return;
    }
    if (auto problem = RegionProblem(value, known_)) Add(path, *problem);
  }

  void Uscc(const std::string& path, std::string_view value) {
    if (value.empty()) {
      Add(path, "is required");
      return;
    }
    if (auto problem = UsccProblem(value)) Add(path, *problem);
  }

  // Records `code` of a `section` entry at `path`; a second entry with the same code is an error.
  void Unique(std::map<std::string, std::string, std::less<>>& seen, const std::string& path,
              const std::string& code) {
    if (code.empty()) return;
    auto [it, inserted] = seen.emplace(code, path);
    if (!inserted) Add(path, fmt::format("'{}' is already used by {}", Excerpt(code), it->second));
  }

  bool HasDepartment(std::string_view code) const {
    return file_departments_.contains(code) || known_.departments.contains(code);
  }
  bool HasWindow(std::string_view code) const {
    return file_windows_.contains(code) || known_.windows.contains(code);
  }
  bool HasBasicItem(std::string_view code) const {
    return file_basic_items_.contains(code) || known_.basic_items.contains(code);
  }
  bool HasItem(std::string_view code) const {
    return file_items_.contains(code) || known_.implementation_items.contains(code);
  }
  std::optional<CertificateStatus> CertificateStatusOf(std::string_view code) const {
    if (auto it = file_certificates_.find(code); it != file_certificates_.end()) return it->second;
    if (auto it = known_.certificates.find(code); it != known_.certificates.end()) {
      return it->second;
    }
    return std::nullopt;
  }

  // Makes the file's own entries resolvable as references.
  void Index(const CatalogFile& file) {
    for (const auto& d : file.departments) file_departments_.insert(d.code);
    for (const auto& w : file.windows) file_windows_.insert(w.code);
    for (const auto& b : file.basic_items) file_basic_items_.insert(b.code);
    for (const auto& i : file.implementation_items) file_items_.insert(i.code);
    for (const auto& c : file.certificates) file_certificates_[c.code] = c.status;
  }
  void Regions(const std::vector<Region>& regions);
  void Departments(const std::vector<Department>& departments);
  void Windows(const std::vector<Window>& windows);
  void Certificates(const std::vector<Certificate>& certificates);
  void BasicItems(const std::vector<BasicItem>& items);
  void Items(const std::vector<ImplementationItem>& items);
  void Item(const ImplementationItem& item, const std::string& path);
  void Bundles(const std::vector<Bundle>& bundles);

 private:
  void Limit(const std::optional<TimeLimit>& limit, const std::string& path, Need need);
  void ScenarioRules(const Scenario& s, const std::string& path);
  void FormFieldFeel(const FormField& f, const std::string& path);
  void MaterialRules(const Material& m, const std::string& path);
  template <typename E>
  void NoDuplicates(const std::vector<E>& values, const std::string& path) {
    for (size_t i = 0; i < values.size(); ++i) {
      if (std::find(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(i), values[i]) !=
          values.begin() + static_cast<std::ptrdiff_t>(i)) {
        Add(JoinPath(path, i), fmt::format("'{}' is listed twice", EnumId(values[i])));
      }
    }
  }

  const KnownCodes& known_;
  FieldErrors& errors_;
  std::set<std::string, std::less<>> file_departments_;
  std::set<std::string, std::less<>> file_windows_;
  std::set<std::string, std::less<>> file_basic_items_;
  std::set<std::string, std::less<>> file_items_;
  std::map<std::string, CertificateStatus, std::less<>> file_certificates_;
};

void Checker::Regions(const std::vector<Region>& regions) {
  std::map<std::string, std::string, std::less<>> seen;
  for (size_t i = 0; i < regions.size(); ++i) {
    const std::string path = JoinPath("regions", i);
    const Region& r = regions[i];
    RegionCode(JoinPath(path, "code"), r.code);
    Unique(seen, JoinPath(path, "code"), r.code);
    Text(JoinPath(path, "name"), r.name, Need::kOptional);
  }
}

void Checker::Departments(const std::vector<Department>& departments) {
  std::map<std::string, std::string, std::less<>> seen;
  for (size_t i = 0; i < departments.size(); ++i) {
    const std::string path = JoinPath("departments", i);
    const Department& d = departments[i];
    Code(JoinPath(path, "code"), d.code);
    Unique(seen, JoinPath(path, "code"), d.code);
    Text(JoinPath(path, "name"), d.name, Need::kRequired);
    Uscc(JoinPath(path, "uscc"), d.uscc);
    RegionCode(JoinPath(path, "region"), d.region);
  }
}

void Checker::Windows(const std::vector<Window>& windows) {
  std::map<std::string, std::string, std::less<>> seen;
  for (size_t i = 0; i < windows.size(); ++i) {
    const std::string path = JoinPath("windows", i);
    const Window& w = windows[i];
    Code(JoinPath(path, "code"), w.code);
    Unique(seen, JoinPath(path, "code"), w.code);
    Text(JoinPath(path, "name"), w.name, Need::kRequired);
    RegionCode(JoinPath(path, "region"), w.region);
    if (!w.department.empty() && Code(JoinPath(path, "department"), w.department) &&
        !HasDepartment(w.department)) {
      Add(JoinPath(path, "department"),
          fmt::format("department '{}' is not in the catalog", Excerpt(w.department)));
    }
    Text(JoinPath(path, "address"), w.address, Need::kOptional, TextShape::kMultiLine);
    Text(JoinPath(path, "hours"), w.hours, Need::kOptional);
  }
}

void Checker::Certificates(const std::vector<Certificate>& certificates) {
  std::map<std::string, std::string, std::less<>> seen;
  for (size_t i = 0; i < certificates.size(); ++i) {
    const std::string path = JoinPath("certificates", i);
    const Certificate& c = certificates[i];
    Code(JoinPath(path, "code"), c.code);
    Unique(seen, JoinPath(path, "code"), c.code);
    Text(JoinPath(path, "name"), c.name, Need::kRequired);
    Text(JoinPath(path, "issuer"), c.issuer, Need::kOptional);
    Text(JoinPath(path, "basis"), c.basis, Need::kRequired, TextShape::kMultiLine);
    if (c.status == CertificateStatus::kCancelled) {
      Text(JoinPath(path, "cancelled_basis"), c.cancelled_basis, Need::kRequired,
           TextShape::kMultiLine);
    } else if (!c.cancelled_basis.empty()) {
      Add(JoinPath(path, "cancelled_basis"), "is only for cancelled certificates");
    }
    Text(JoinPath(path, "licence_type"), c.licence_type, Need::kOptional);
  }
}

void Checker::BasicItems(const std::vector<BasicItem>& items) {
  std::map<std::string, std::string, std::less<>> seen;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string path = JoinPath("basic_items", i);
    const BasicItem& b = items[i];
    Code(JoinPath(path, "code"), b.code);
    Unique(seen, JoinPath(path, "code"), b.code);
    Text(JoinPath(path, "name"), b.name, Need::kRequired);
    Text(JoinPath(path, "legal_basis"), b.legal_basis, Need::kRequired, TextShape::kMultiLine);
  }
}

void Checker::Items(const std::vector<ImplementationItem>& items) {
  std::map<std::string, std::string, std::less<>> seen;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string path = JoinPath("implementation_items", i);
    Unique(seen, JoinPath(path, "code"), items[i].code);
    Item(items[i], path);
  }
}

void Checker::Limit(const std::optional<TimeLimit>& limit, const std::string& path, Need need) {
  if (!limit) {
    if (need == Need::kRequired) Add(path, "is required");
    return;
  }
  if (limit->value < 0 || limit->value > kMaxLimitValue) {
    Add(JoinPath(path, "value"), fmt::format("must be between 0 and {}", kMaxLimitValue));
  }
}

void Checker::Item(const ImplementationItem& it, const std::string& path) {
  Code(JoinPath(path, "code"), it.code);
  if (Code(JoinPath(path, "basic_item"), it.basic_item) && !HasBasicItem(it.basic_item)) {
    Add(JoinPath(path, "basic_item"),
        fmt::format("basic item '{}' is not in the catalog", Excerpt(it.basic_item)));
  }
  if (Code(JoinPath(path, "department"), it.department) && !HasDepartment(it.department)) {
    Add(JoinPath(path, "department"),
        fmt::format("department '{}' is not in the catalog", Excerpt(it.department)));
  }
  RegionCode(JoinPath(path, "region"), it.region);

  Limit(it.legal_limit, JoinPath(path, "legal_limit"), Need::kRequired);
  Limit(it.promised_limit, JoinPath(path, "promised_limit"),
        it.handling_type == HandlingType::kPromised ? Need::kRequired : Need::kOptional);
  // Limits in different units are not compared: how many natural days N working days span
  // depends on the holiday calendar, which supervision applies to each case's real due date.
  if (it.legal_limit && it.promised_limit && it.legal_limit->unit == it.promised_limit->unit &&
      it.promised_limit->value > it.legal_limit->value) {
    Add(JoinPath(path, "promised_limit/value"),
        fmt::format("the promised limit {} exceeds the legal limit {} {}", it.promised_limit->value,
                    it.legal_limit->value, EnumId(it.legal_limit->unit)));
  }

  for (size_t i = 0; i < it.fees.size(); ++i) {
    const std::string fp = JoinPath(JoinPath(path, "fees"), i);
    const Fee& f = it.fees[i];
    Text(JoinPath(fp, "name"), f.name, Need::kRequired);
    if (f.amount_fen < 0 || f.amount_fen > kMaxFeeFen) {
      Add(JoinPath(fp, "amount_fen"), "must be a non-negative amount in fen");
    }
    Text(JoinPath(fp, "basis"), f.basis, f.amount_fen > 0 ? Need::kRequired : Need::kOptional,
         TextShape::kMultiLine);
  }
  Text(JoinPath(path, "place"), it.place, Need::kOptional, TextShape::kMultiLine);
  Text(JoinPath(path, "hours"), it.hours, Need::kOptional);
  Text(JoinPath(path, "phone"), it.phone, Need::kOptional);

  std::set<std::string, std::less<>> windows;
  for (size_t i = 0; i < it.windows.size(); ++i) {
    const std::string wp = JoinPath(JoinPath(path, "windows"), i);
    if (!Code(wp, it.windows[i])) continue;
    if (!windows.insert(it.windows[i]).second) {
      Add(wp, fmt::format("window '{}' is listed twice", Excerpt(it.windows[i])));
    } else if (!HasWindow(it.windows[i])) {
      Add(wp, fmt::format("window '{}' is not in the catalog", Excerpt(it.windows[i])));
    }
  }
  if (it.visits < 0 || it.visits > kMaxVisits) {
    Add(JoinPath(path, "visits"), fmt::format("must be between 0 and {}", kMaxVisits));
  }
  if (it.online_depth < 1 || it.online_depth > 4) {
    Add(JoinPath(path, "online_depth"), "must be 1, 2, 3 or 4");
  }
  for (const auto& spec : EnumSpecs<ServiceList>()) {
    NoDuplicates(it.lists.Of(spec.value), JoinPath(JoinPath(path, "lists"), spec.id));
  }
  NoDuplicates(it.cross_region_modes, JoinPath(path, "cross_region_modes"));
  if (Text(JoinPath(path, "jurisdiction"), it.jurisdiction, Need::kRequired,
           TextShape::kMultiLine)) {
    for (const auto& d : CheckJurisdiction(it.jurisdiction)) {
      Add(JoinPath(path, "jurisdiction"),
          fmt::format("the jurisdiction rule of matter '{}' at {}:{}: {}", Excerpt(it.code), d.line,
                      d.column, d.message));
    }
  }
  Text(JoinPath(path, "result_licence_type"), it.result_licence_type, Need::kOptional);
  for (const auto& [field, form_field] : it.licence_fields) {
    const std::string at = JoinPath(JoinPath(path, "licence_fields"), Excerpt(field));
    bool known = false;
    for (const Scenario& s : it.scenarios) {
      for (const FormField& f : s.form) known = known || f.name == form_field;
    }
    if (it.result_licence_type.empty()) {
      Add(at, "licence_fields needs a result_licence_type");
    } else if (!known) {
      Add(at, fmt::format("no scenario has the form field '{}'", Excerpt(form_field)));
    }
  }
  for (size_t i = 0; i < it.keywords.size(); ++i) {
    Text(JoinPath(JoinPath(path, "keywords"), i), it.keywords[i], Need::kRequired);
  }
  for (size_t i = 0; i < it.aliases.size(); ++i) {
    Text(JoinPath(JoinPath(path, "aliases"), i), it.aliases[i], Need::kRequired);
  }

  if (it.scenarios.empty()) Add(JoinPath(path, "scenarios"), "needs at least one scenario");
  std::map<std::string, std::string, std::less<>> codes;
  for (size_t i = 0; i < it.scenarios.size(); ++i) {
    const std::string sp = JoinPath(JoinPath(path, "scenarios"), i);
    Unique(codes, JoinPath(sp, "code"), it.scenarios[i].code);
    ScenarioRules(it.scenarios[i], sp);
    if (const auto& ad = it.scenarios[i].auto_decision) {
      const std::string ap = JoinPath(sp, "auto_decision");
      if (it.handling_type != HandlingType::kInstant) {
        Add(ap, "is only for instant matters (handling_type: instant)");
      }
      if (Text(JoinPath(ap, "rule"), ad->rule, Need::kRequired)) {
        for (const auto& d : CheckAutoDecision(ad->rule)) {
          Add(JoinPath(ap, "rule"), fmt::format("{}:{}: {}", d.line, d.column, d.message));
        }
      }
    }
  }
  if (it.guide) {
    for (auto& e : CheckGuide(*it.guide, it.scenarios, JoinPath(path, "guide"))) {
      Add(std::move(e.field), std::move(e.message));
    }
  }
  if (it.verification_within_days &&
      (*it.verification_within_days < 1 || *it.verification_within_days > kMaxVerificationDays)) {
    Add(JoinPath(path, "verification_within_days"),
        fmt::format("must be between 1 and {} days", kMaxVerificationDays));
  }
}

bool IsIdentifier(std::string_view name) {
  if (name.empty() || name.size() > kMaxCodeBytes) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

void Checker::FormFieldFeel(const FormField& f, const std::string& path) {
  if (!f.prefill.empty() && Text(JoinPath(path, "prefill"), f.prefill, Need::kOptional)) {
    for (const auto& d : feel::Check(f.prefill, PrefillScope())) {
      Add(JoinPath(path, "prefill"), fmt::format("{}:{}: {}", d.line, d.column, d.message));
    }
  }
  if (!f.validation.empty()) {
    if (Text(JoinPath(path, "validation"), f.validation, Need::kOptional)) {
      for (const auto& d : feel::Check(f.validation, PrefillScope(), feel::Mode::kUnaryTests)) {
        Add(JoinPath(path, "validation"), fmt::format("{}:{}: {}", d.line, d.column, d.message));
      }
    }
    Text(JoinPath(path, "validation_message"), f.validation_message, Need::kRequired);
  } else if (!f.validation_message.empty()) {
    Add(JoinPath(path, "validation_message"), "is only for a field with a validation");
  }
}

void Checker::ScenarioRules(const Scenario& s, const std::string& path) {
  Code(JoinPath(path, "code"), s.code);
  Text(JoinPath(path, "name"), s.name, Need::kRequired);
  Code(JoinPath(path, "process"), s.process);
  std::set<std::string, std::less<>> reviewing;
  for (size_t i = 0; i < s.review_departments.size(); ++i) {
    const std::string dp = JoinPath(JoinPath(path, "review_departments"), i);
    const std::string& d = s.review_departments[i];
    if (!Code(dp, d)) continue;
    if (!reviewing.insert(d).second) {
      Add(dp, fmt::format("department '{}' is listed twice", Excerpt(d)));
    } else if (!HasDepartment(d)) {
      Add(dp, fmt::format("department '{}' is not in the catalog", Excerpt(d)));
    }
  }
  std::map<std::string, std::string, std::less<>> names;
  for (size_t i = 0; i < s.form.size(); ++i) {
    const std::string fp = JoinPath(JoinPath(path, "form"), i);
    const FormField& f = s.form[i];
    if (f.name.empty()) {
      Add(JoinPath(fp, "name"), "is required");
    } else if (!IsIdentifier(f.name)) {
      Add(JoinPath(fp, "name"),
          fmt::format("'{}' must be an identifier: a letter or '_', then letters, digits or '_'",
                      Excerpt(f.name)));
    }
    Unique(names, JoinPath(fp, "name"), f.name);
    Text(JoinPath(fp, "label"), f.label, Need::kRequired);
    if (f.type == FieldType::kEnum) {
      if (f.options.empty()) Add(JoinPath(fp, "options"), "an enum field needs options");
      std::set<std::string, std::less<>> seen;
      for (size_t k = 0; k < f.options.size(); ++k) {
        const std::string op = JoinPath(JoinPath(fp, "options"), k);
        if (Text(op, f.options[k], Need::kRequired) && !seen.insert(f.options[k]).second) {
          Add(op, fmt::format("option '{}' is listed twice", Excerpt(f.options[k])));
        }
      }
    } else if (!f.options.empty()) {
      Add(JoinPath(fp, "options"), "only enum fields have options");
    }
    FormFieldFeel(f, fp);
  }
  std::map<std::string, std::string, std::less<>> materials;
  for (size_t i = 0; i < s.materials.size(); ++i) {
    const std::string mp = JoinPath(JoinPath(path, "materials"), i);
    Unique(materials, JoinPath(mp, "name"), s.materials[i].name);
    MaterialRules(s.materials[i], mp);
  }
}

void Checker::MaterialRules(const Material& m, const std::string& path) {
  Text(JoinPath(path, "name"), m.name, Need::kRequired);
  if (m.required == Requirement::kConditional) {
    Text(JoinPath(path, "condition"), m.condition, Need::kRequired, TextShape::kMultiLine);
  } else if (!m.condition.empty()) {
    Add(JoinPath(path, "condition"), "is only for materials required conditionally");
  }
  if (m.source == MaterialSource::kLicence) {
    Text(JoinPath(path, "licence_type"), m.licence_type, Need::kRequired);
  } else if (!m.licence_type.empty()) {
    Add(JoinPath(path, "licence_type"), "is only for materials fetched as a licence");
  }
  if (m.reuse_days && (*m.reuse_days < 0 || *m.reuse_days > kMaxReuseDays)) {
    Add(JoinPath(path, "reuse_days"), fmt::format("must be between 0 and {} days", kMaxReuseDays));
  }
  if (m.request_days && m.source != MaterialSource::kCertificateRequest) {
    Add(JoinPath(path, "request_days"), "is only for materials requested from their issuer");
  } else if (m.request_days && (*m.request_days < 1 || *m.request_days > kMaxRequestDays)) {
    Add(JoinPath(path, "request_days"),
        fmt::format("must be between 1 and {} working days", kMaxRequestDays));
  }
  const std::string cp = JoinPath(path, "certificate");
  if (m.certificate.empty()) {
    if (m.source == MaterialSource::kCertificateRequest) {
      Add(cp, "a certificate request names the certificate from the certificate list");
    }
    return;
  }
  if (!Code(cp, m.certificate)) return;
  auto status = CertificateStatusOf(m.certificate);
  if (!status) {
    Add(cp, fmt::format("certificate '{}' is not on the certificate list (清单外无证明)",
                        Excerpt(m.certificate)));
  } else if (*status == CertificateStatus::kCancelled) {
    Add(cp, fmt::format("certificate '{}' has been cancelled and may not be required",
                        Excerpt(m.certificate)));
  }
}

void Checker::Bundles(const std::vector<Bundle>& bundles) {
  std::map<std::string, std::string, std::less<>> seen;
  for (size_t i = 0; i < bundles.size(); ++i) {
    const std::string path = JoinPath("bundles", i);
    const Bundle& b = bundles[i];
    Code(JoinPath(path, "code"), b.code);
    Unique(seen, JoinPath(path, "code"), b.code);
    Text(JoinPath(path, "name"), b.name, Need::kRequired);
    RegionCode(JoinPath(path, "region"), b.region);
    Code(JoinPath(path, "process"), b.process);
    if (b.matters.empty()) Add(JoinPath(path, "matters"), "a bundle needs its matters");
    std::set<std::string, std::less<>> matters;
    for (size_t k = 0; k < b.matters.size(); ++k) {
      const std::string mp = JoinPath(JoinPath(path, "matters"), k);
      if (!Code(mp, b.matters[k])) continue;
      if (!matters.insert(b.matters[k]).second) {
        Add(mp, fmt::format("matter '{}' is listed twice", Excerpt(b.matters[k])));
      } else if (!HasItem(b.matters[k])) {
        Add(mp, fmt::format("matter '{}' is not in the catalog", Excerpt(b.matters[k])));
      }
    }
  }
}

// True when `path` is `prefix` or lies below it.
bool Covers(std::string_view prefix, std::string_view path) {
  if (prefix.empty()) return false;
  return path == prefix || (path.starts_with(prefix) && path[prefix.size()] == '/');
}

std::optional<std::string> ImportedRegionName(std::string_view code, const KnownCodes& known) {
  if (!known.imported_region) return std::nullopt;
  auto canonical = ParseRegionCode(code);
  if (!canonical.ok()) return std::nullopt;
  return known.imported_region(canonical->code);
}

std::optional<std::string> RegionProblem(std::string_view code, const KnownCodes& known) {
  auto region = LookupRegion(code);
  if (region.ok()) return std::nullopt;
  if (region.error().code() == ErrorCode::kNotFound) {
    if (ImportedRegionName(code, known)) return std::nullopt;
    return fmt::format("'{}' is not in the region list", Excerpt(code));
  }
  return region.error().message();
}

std::optional<std::string> UsccProblem(std::string_view code) {
  auto uscc = ParseUscc(code);
  if (!uscc.ok()) return uscc.error().message();
  if (uscc->normalized != code) {
    return fmt::format("write the USCC in upper case: {}", uscc->normalized);
  }
  return std::nullopt;
}

}  // namespace

void ValidateCatalog(const CatalogFile& file, const KnownCodes& known, FieldErrors& errors) {
  Checker c(known, errors);
  c.Index(file);
  c.Regions(file.regions);
  c.Departments(file.departments);
  c.Windows(file.windows);
  c.Certificates(file.certificates);
  c.BasicItems(file.basic_items);
  c.Items(file.implementation_items);
  c.Bundles(file.bundles);
}

void ValidateItem(const ImplementationItem& item, const KnownCodes& known,
                  std::string_view base_path, FieldErrors& errors) {
  Checker c(known, errors);
  c.Item(item, std::string(base_path));
}

Result<CatalogFile> ReadCatalog(std::string_view text, const KnownCodes& known,
                                const ParseLimits& limits) {
  FieldErrors parse_errors;
  CatalogFile file = ParseCatalogYaml(text, parse_errors, limits);
  FieldErrors rule_errors;
  ValidateCatalog(file, known, rule_errors);
  if (parse_errors.empty() && rule_errors.empty()) return file;
  // A field the reader already reported (missing, wrong type) is not reported again by the
  // rules, which saw it empty or defaulted.
  FieldErrors all = parse_errors;
  const bool document_unreadable =
      std::any_of(parse_errors.fields().begin(), parse_errors.fields().end(),
                  [](const FieldError& e) { return e.field.empty(); });
  if (!document_unreadable) {
    for (const FieldError& e : rule_errors.fields()) {
      const bool covered =
          std::any_of(parse_errors.fields().begin(), parse_errors.fields().end(),
                      [&](const FieldError& p) { return Covers(p.field, e.field); });
      if (!covered) all.Add(e.field, e.message);
    }
  }
  return all.ToError(fmt::format("the catalog has {} error{}; nothing was imported", all.size(),
                                 all.size() == 1 ? "" : "s"));
}

std::string RegionName(std::string_view code, const KnownCodes& known) {
  auto region = LookupRegion(code);
  if (region.ok()) return region->name;
  return ImportedRegionName(code, known).value_or("");
}

std::optional<std::string> RegionSubtreePrefix(std::string_view code) {
  if (code.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  std::string c(code);
  if (c.size() == 12 && c.ends_with("000")) c.resize(9);
  if (c.size() == 9 && c.ends_with("000")) c.resize(6);
  if (c.size() == 6) {
    if (c.ends_with("0000")) return c.substr(0, 2);
    if (c.ends_with("00")) return c.substr(0, 4);
    return c;
  }
  if (c.size() == 9 || c.size() == 12) return c;
  return std::nullopt;
}

}  // namespace tongban::catalog
