// The contribution of one case to the aggregates (see facts.h).
#include "kpi/facts.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace tongban::kpi {

const std::array<std::string_view, kFactCount> kFactColumns = {
    "applications",  "accepted",   "concluded",    "approved",     "denied",       "on_time",
    "refused",       "withdrawn",  "terminated",   "cross_region", "online",       "working_days",
    "promised_days", "legal_days", "materials",    "not_brought",  "from_licence", "from_register",
    "uploaded",      "clerk_scan", "proof_waived", "gap",          "supply_later", "visits"};

namespace {

constexpr int kJointLimitDays = 45;  // 第26条, as the case clock counts it

int64_t LimitDays(const std::optional<catalog::TimeLimit>& limit) {
  if (!limit) return 0;
  if (limit->unit == catalog::LimitUnit::kHours) return (limit->value + 23) / 24;
  return limit->value;
}

// The province of the applicant's registration: an ID number's first two digits, a USCC's
// third and fourth characters; "" when the code has neither shape.
std::string ApplicantProvince(const std::string& code) {
  if (code.size() != 18) return "";
  const bool digits =
      std::all_of(code.begin(), code.begin() + 17, [](char c) { return c >= '0' && c <= '9'; });
  if (digits) return code.substr(0, 2);
  return code.substr(2, 2);
}

std::string Key(std::string_view table, std::string_view grain, std::string_view period,
                const CaseInputs& in, bool full) {
  if (full) {
    return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}", table, grain, period, in.region, in.department,
                       in.matter, in.channel, in.window);
  }
  return fmt::format("{}|{}|{}|{}|{}||{}|", table, grain, period, in.region, in.department,
                     in.channel);
}

void Add(Contribution& out, const std::string& key, const Counters& values) {
  auto [it, inserted] = out.try_emplace(key, std::vector<int64_t>(kFactCount, 0));
  for (size_t i = 0; i < kFactCount; ++i) it->second[i] += values[i];
}

}  // namespace

CaseInputs InputsOf(const cases::Case& c, const catalog::Matter& matter) {
  CaseInputs in;
  in.region = c.region;
  in.department = c.department;
  in.matter = c.matter;
  in.channel = std::string(cases::ChannelName(c.channel));
  in.window = c.window;
  in.applicant_code = c.applicant_code;
  in.state = c.state;
  in.received_on = c.received_on;
  in.accepted_on = c.clock.started_on;
  for (const cases::Document& d : c.documents) {
    if (d.kind == cases::DocumentKind::kApprovalDecision ||
        d.kind == cases::DocumentKind::kDenialDecision) {
      if (!in.decided_on || d.issued_on < *in.decided_on) {
        in.decided_on = d.issued_on;
        in.denied = d.kind == cases::DocumentKind::kDenialDecision;
      }
    }
  }
  in.suspended_days = c.suspended_days;
  in.extension_days = c.clock.extension_days;
  in.joint = c.joint;
  for (const cases::CaseMaterial& m : c.materials) in.materials.push_back({m.state, m.origin});
  in.promised = matter.item.promised_limit;
  in.legal = matter.item.legal_limit;
  in.visits = matter.item.visits;
  return in;
}

Timing TimingOf(const CaseInputs& in, const Calendar& calendar) {
  Timing t;
  if (!in.decided_on) return t;
  const Date start = in.accepted_on ? *in.accepted_on : in.received_on;
  catalog::TimeLimit limit;
  bool limited = true;
  if (in.joint) {
    limit = {.value = kJointLimitDays, .unit = catalog::LimitUnit::kWorkingDays};
  } else if (in.promised) {
    limit = *in.promised;
  } else if (in.legal) {
    limit = *in.legal;
  } else {
    limited = false;
  }
  const bool working = !limited || limit.unit == catalog::LimitUnit::kWorkingDays;
  t.working_days =
      calendar.WorkingDaysBetween(start, *in.decided_on).days - (working ? in.suspended_days : 0);
  t.working_days = std::max<int64_t>(0, t.working_days);
  if (!limited) {
    t.on_time = true;
    return t;
  }
  const int64_t total = limit.value + in.extension_days;
  Date due = start;
  switch (limit.unit) {
    case catalog::LimitUnit::kWorkingDays: {
      auto d = calendar.AddWorkingDays(start, total + in.suspended_days);
      due = d.ok() ? d->date : start;
      break;
    }
    case catalog::LimitUnit::kNaturalDays:
      due = start.AddDays(total + in.suspended_days);
      break;
    case catalog::LimitUnit::kHours:
      // The clock's rule: the hours run from the start of the day after acceptance.
      due = start.AddDays(1 + in.suspended_days + (total - 1) / 24);
      break;
  }
  t.on_time = *in.decided_on <= due;
  return t;
}

Contribution Contribute(const CaseInputs& in, const Calendar& calendar) {
  Contribution out;
  Counters received{};
  At(received, Fact::kApplications) = 1;
  At(received, Fact::kAccepted) = in.accepted_on ? 1 : 0;
  At(received, Fact::kRefused) = in.state == cases::CaseState::kRefused ? 1 : 0;
  At(received, Fact::kWithdrawn) = in.state == cases::CaseState::kWithdrawn ? 1 : 0;
  At(received, Fact::kTerminated) = in.state == cases::CaseState::kTerminated ? 1 : 0;
  const std::string province = ApplicantProvince(in.applicant_code);
  At(received, Fact::kCrossRegion) =
      !province.empty() && in.region.size() >= 2 && province != in.region.substr(0, 2) ? 1 : 0;
  At(received, Fact::kOnline) = in.channel == "online" || in.channel == "mobile" ? 1 : 0;
  At(received, Fact::kVisits) = in.visits;
  for (const CaseInputs::Material& m : in.materials) {
    ++At(received, Fact::kMaterials);
    using cases::MaterialOrigin;
    using cases::MaterialState;
    const bool fetched =
        m.state == MaterialState::kProvided &&
        (m.origin == MaterialOrigin::kLicence || m.origin == MaterialOrigin::kRegister ||
         m.origin == MaterialOrigin::kReuse);
    if (fetched || m.state == MaterialState::kProofWaived) ++At(received, Fact::kNotBrought);
    if (m.state == MaterialState::kProvided) {
      switch (m.origin) {
        case MaterialOrigin::kLicence:
          ++At(received, Fact::kFromLicence);
          break;
        case MaterialOrigin::kRegister:
          ++At(received, Fact::kFromRegister);
          break;
        case MaterialOrigin::kUploaded:
          ++At(received, Fact::kUploaded);
          break;
        case MaterialOrigin::kClerkScan:
          ++At(received, Fact::kClerkScan);
          break;
        case MaterialOrigin::kReuse:  // counted as not brought only (src/sources reports it)
        case MaterialOrigin::kNone:
          break;
      }
    }
    if (m.state == MaterialState::kProofWaived) ++At(received, Fact::kProofWaived);
    if (m.state == MaterialState::kGap) ++At(received, Fact::kGap);
    if (m.state == MaterialState::kSupplyLater) ++At(received, Fact::kSupplyLater);
  }
  const std::string day = in.received_on.ToString();
  Add(out, Key("f", "d", day, in, true), received);
  Add(out, Key("f", "m", day.substr(0, 7), in, false), received);

  if (in.decided_on) {
    const Timing t = TimingOf(in, calendar);
    Counters decided{};
    At(decided, Fact::kConcluded) = 1;
    At(decided, Fact::kApproved) = in.denied ? 0 : 1;
    At(decided, Fact::kDenied) = in.denied ? 1 : 0;
    At(decided, Fact::kOnTime) = t.on_time ? 1 : 0;
    At(decided, Fact::kWorkingDays) = t.working_days;
    const int64_t legal = LimitDays(in.legal);
    At(decided, Fact::kLegalDays) = legal;
    At(decided, Fact::kPromisedDays) = in.promised ? LimitDays(in.promised) : legal;
    const std::string on = in.decided_on->ToString();
    Add(out, Key("f", "d", on, in, true), decided);
    Add(out, Key("f", "m", on.substr(0, 7), in, false), decided);
    out[fmt::format("{}|{}", Key("h", "d", on, in, true), t.working_days)] = {1};
    out[fmt::format("h|m|{}|{}|||||{}", on.substr(0, 7), in.region, t.working_days)] = {1};
  }
  return out;
}

void Accumulate(Contribution& to, const Contribution& c) {
  for (const auto& [key, values] : c) {
    auto [it, inserted] = to.try_emplace(key, std::vector<int64_t>(values.size(), 0));
    for (size_t i = 0; i < values.size(); ++i) it->second[i] += values[i];
  }
}

Contribution Difference(const Contribution& before, const Contribution& after) {
  Contribution out = after;
  for (const auto& [key, values] : before) {
    auto [it, inserted] = out.try_emplace(key, std::vector<int64_t>(values.size(), 0));
    for (size_t i = 0; i < values.size(); ++i) it->second[i] -= values[i];
  }
  std::erase_if(out, [](const auto& row) {
    return std::all_of(row.second.begin(), row.second.end(), [](int64_t v) { return v == 0; });
  });
  return out;
}

std::string Serialize(const Contribution& c) {
  std::string out;
  for (const auto& [key, values] : c) {
    out += key;
    out += '=';
    for (size_t i = 0; i < values.size(); ++i) {
      if (i) out += ',';
      out += std::to_string(values[i]);
    }
    out += '\n';
  }
  return out;
}

Result<Contribution> Parse(std::string_view text) {
  Contribution out;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty()) continue;
    const size_t eq = line.rfind('=');
    if (eq == std::string_view::npos) {
      return Error(ErrorCode::kInternal, "a stored KPI contribution is damaged");
    }
    std::vector<int64_t> values;
    std::string_view rest = line.substr(eq + 1);
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
      if (ec != std::errc() || ptr != item.data() + item.size()) {
        return Error(ErrorCode::kInternal, "a stored KPI contribution is damaged");
      }
      values.push_back(v);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    out[std::string(line.substr(0, eq))] = std::move(values);
  }
  return out;
}

std::vector<std::string> SplitKey(std::string_view key) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t bar = key.find('|', start);
    out.emplace_back(key.substr(start, bar - start));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return out;
}

}  // namespace tongban::kpi
