// tongban calendar add-working-days DATE N | working-days FROM TO
#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <memory>

#include "base/calendar.h"
#include "cli/command.h"

namespace tongban::cli {
namespace {

// N as the user typed it: CLI11's own conversion would fail with its own exit code, and a bad
// N must be answered like a bad date (invalid_argument, exit 2).
Result<int64_t> ParseCount(const std::string& text, std::string_view field) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{} is not a whole number", field),
                 {{std::string(field), fmt::format("'{}' is not a whole number", text)}});
  }
  return n;
}

// The built-in national schedules plus the files given with --calendar, in order.
Result<std::unique_ptr<Calendar>> OpenCalendar(const std::vector<std::string>& files) {
  auto calendar = Calendar::WithEmbeddedSchedules();
  for (const std::string& f : files) TB_RETURN_IF_ERROR(calendar->LoadFile(f));
  return calendar;
}

const char* Mark(bool provisional) { return provisional ? " (provisional)" : ""; }

}  // namespace

void AddCalendarCommands(CLI::App& cli, Context& ctx) {
  struct Flags {
    std::vector<std::string> files;
    std::string first, second;
  };
  auto* calendar = cli.add_subcommand(
      "calendar", "working-day arithmetic over public holidays and make-up working days");
  calendar->require_subcommand(1);
  const char* kFilesHelp = "YAML schedule to load over the built-in 2024-2026 ones (repeatable)";

  auto add_flags = std::make_shared<Flags>();
  auto* add = calendar->add_subcommand(
      "add-working-days",
      "print the N-th working day after DATE (DATE itself is not counted; N = 0 prints DATE); "
      "\" (provisional)\" follows a date that depends on a year without a loaded schedule");
  add->add_option("DATE", add_flags->first, "start date YYYY-MM-DD")->required();
  add->add_option("N", add_flags->second, "number of working days, 0 or more")->required();
  add->add_option("--calendar", add_flags->files, kFilesHelp);
  add->callback([add_flags, &ctx] {
    auto run = [&]() -> Status {
      TB_ASSIGN_OR_RETURN(Date date, Date::Parse(add_flags->first, "DATE"));
      TB_ASSIGN_OR_RETURN(int64_t n, ParseCount(add_flags->second, "N"));
      TB_ASSIGN_OR_RETURN(auto cal, OpenCalendar(add_flags->files));
      auto result = cal->AddWorkingDays(date, n);
      if (!result.ok()) {
        Error e = std::move(result).error();
        return Error(e.code(), e.message(), {{"N", e.fields().at(0).message}});
      }
      std::printf("%s%s\n", result->date.ToString().c_str(), Mark(result->provisional));
      return Ok();
    };
    Status s = run();
    if (!s.ok()) ctx.exit_code = Fail(s.error());
  });

  auto between_flags = std::make_shared<Flags>();
  auto* between = calendar->add_subcommand(
      "working-days",
      "print the number of working days d with FROM < d <= TO (negative when TO is before "
      "FROM), followed by \" (provisional)\" when it depends on a year without a schedule");
  between->add_option("FROM", between_flags->first, "YYYY-MM-DD, not counted")->required();
  between->add_option("TO", between_flags->second, "YYYY-MM-DD, counted")->required();
  between->add_option("--calendar", between_flags->files, kFilesHelp);
  between->callback([between_flags, &ctx] {
    auto run = [&]() -> Status {
      FieldErrors errors;
      auto from = Date::Parse(between_flags->first, "FROM");
      auto to = Date::Parse(between_flags->second, "TO");
      for (const auto* r : {&from, &to}) {
        if (!r->ok()) errors.Add(r->error().fields()[0].field, r->error().fields()[0].message);
      }
      if (!errors.empty()) return errors.ToError("invalid dates");
      TB_ASSIGN_OR_RETURN(auto cal, OpenCalendar(between_flags->files));
      const WorkingDayCount c = cal->WorkingDaysBetween(*from, *to);
      std::printf("%lld%s\n", static_cast<long long>(c.days), Mark(c.provisional));
      return Ok();
    };
    Status s = run();
    if (!s.ok()) ctx.exit_code = Fail(s.error());
  });
}

}  // namespace tongban::cli
