// tongban check id-number|uscc|region|licence-id VALUE [--json]: validates one code offline.
// Exit 0 when valid (warnings included), 1 when invalid; the reason goes to stdout either way,
// because an invalid code is the answer asked for, not a failure of the command.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

#include "base/id_number.h"
#include "base/licence_id.h"
#include "base/region.h"
#include "base/uscc.h"
#include "cli/command.h"

namespace tongban::cli {
namespace {

using nlohmann::json;

struct Verdict {
  bool valid = false;
  std::string normalized;
  std::vector<std::string> warnings;
  std::string error;
  json details = json::object();                           // for --json
  std::vector<std::pair<std::string, std::string>> lines;  // for text output
};

template <typename T>
Verdict Invalid(const Result<T>& r) {
  Verdict v;
  v.error = r.error().message();
  return v;
}

Verdict Valid(std::string normalized, std::vector<std::string> warnings) {
  Verdict v;
  v.valid = true;
  v.normalized = std::move(normalized);
  v.warnings = std::move(warnings);
  return v;
}

// "350100 福建省福州市", or the code alone when it is not in the current list.
std::string CodeAndName(const std::string& code, const std::string& name) {
  return name.empty() ? code : fmt::format("{} {}", code, name);
}

std::string FormatDate(std::chrono::year_month_day d) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(d.year()),
                     static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
}

Verdict CheckIdNumber(std::string_view value) {
  auto r = ParseIdNumber(value);
  if (!r.ok()) return Invalid(r);
  Verdict v = Valid(r->normalized, r->warnings);
  const std::string birth = FormatDate(r->birth_date);
  v.details = {{"birth_date", birth},
               {"sex", SexName(r->sex)},
               {"region_code", r->region_code},
               {"region_name", r->region_name},
               {"converted_from_15_digits", r->converted_from_15_digits}};
  if (r->converted_from_15_digits) v.lines.emplace_back("18-digit form", r->normalized);
  v.lines.emplace_back("birth date", birth);
  v.lines.emplace_back("sex", SexName(r->sex));
  v.lines.emplace_back("region", CodeAndName(r->region_code, r->region_name));
  return v;
}

Verdict CheckUscc(std::string_view value) {
  auto r = ParseUscc(value);
  if (!r.ok()) return Invalid(r);
  Verdict v = Valid(r->normalized, r->warnings);
  v.details = {{"department", std::string(1, r->department)},
               {"department_name", r->department_name},
               {"type", std::string(1, r->type)},
               {"type_name", r->type_name},
               {"region_code", r->region_code},
               {"region_name", r->region_name},
               {"organization_code", r->organization_code}};
  v.lines.emplace_back("department", fmt::format("{} {}", r->department, r->department_name));
  v.lines.emplace_back("type", fmt::format("{} {}", r->type, r->type_name));
  v.lines.emplace_back("region", CodeAndName(r->region_code, r->region_name));
  v.lines.emplace_back("organisation code", r->organization_code);
  return v;
}

Verdict CheckRegion(std::string_view value) {
  auto r = LookupRegion(value);
  if (!r.ok()) return Invalid(r);
  Verdict v = Valid(r->code, {});
  v.details = {{"name", r->name},
               {"level", RegionLevelName(r->level)},
               {"parent_code", r->parent_code},
               {"full_name", r->full_name}};
  v.lines.emplace_back("name", r->full_name);
  v.lines.emplace_back("level", RegionLevelName(r->level));
  if (!r->parent_code.empty()) v.lines.emplace_back("parent", r->parent_code);
  return v;
}

Verdict CheckLicenceId(std::string_view value) {
  auto r = ParseLicenceId(value);
  if (!r.ok()) return Invalid(r);
  Verdict v = Valid(r->normalized, r->warnings);
  v.details = {{"type_code", r->type_code},
               {"type_authority_uscc", r->type_authority_uscc},
               {"type_number", r->type_number},
               {"issuer_uscc", r->issuer_uscc},
               {"serial", r->serial},
               {"version", r->version},
               {"check", std::string(1, r->check)}};
  v.lines.emplace_back("type", r->type_code);
  v.lines.emplace_back("issuer", r->issuer_uscc);
  v.lines.emplace_back("serial", r->serial);
  v.lines.emplace_back("version", r->version);
  return v;
}

void Print(std::string_view kind, const Verdict& v, bool as_json) {
  if (as_json) {
    json out = {{"valid", v.valid},
                {"kind", kind},
                {"normalized", v.valid ? json(v.normalized) : json(nullptr)},
                {"warnings", v.warnings},
                {"error", v.valid ? json(nullptr) : json(v.error)}};
    for (const auto& [key, value] : v.details.items()) out[key] = value;
    // Messages never echo raw input, but replace any invalid UTF-8 rather than throw.
    std::printf("%s\n", out.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
    return;
  }
  if (!v.valid) {
    std::printf("invalid: %s\n", v.error.c_str());
    return;
  }
  std::printf("valid: %s\n", v.normalized.c_str());
  for (const auto& [label, value] : v.lines)
    std::printf("  %s: %s\n", label.c_str(), value.c_str());
  for (const auto& w : v.warnings) std::printf("warning: %s\n", w.c_str());
}

}  // namespace

void AddCheckCommands(CLI::App& cli, Context& ctx) {
  auto* check =
      cli.add_subcommand("check", "validate an ID number, USCC, region code or licence id");
  check->require_subcommand(1);
  struct Kind {
    const char* name;
    const char* help;
    Verdict (*run)(std::string_view);
  };
  static const Kind kKinds[] = {
      {"id-number", "公民身份号码 (GB 11643), 18 characters or the old 15 digits", CheckIdNumber},
      {"uscc", "统一社会信用代码 (GB 32100)", CheckUscc},
      {"region", "行政区划代码 (GB/T 2260; 9-digit towns, 12-digit villages)", CheckRegion},
      {"licence-id", "e-licence identifier (GB/T 36904)", CheckLicenceId},
  };
  for (const Kind& kind : kKinds) {
    struct Flags {
      std::string value;
      bool json = false;
    };
    auto flags = std::make_shared<Flags>();
    auto* cmd = check->add_subcommand(kind.name, kind.help);
    cmd->add_option("VALUE", flags->value, "the code to check")->required();
    cmd->add_flag("--json", flags->json, "print one JSON object");
    cmd->callback([flags, &ctx, &kind] {
      const Verdict v = kind.run(flags->value);
      Print(kind.name, v, flags->json);
      ctx.exit_code = v.valid ? 0 : 1;
    });
  }
}

}  // namespace tongban::cli
