#include "benefits/benefits.h"
#include "benefits/licence_rules.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <ostream>
#include <unordered_set>

#include <fmt/format.h>
#include <xlsxwriter.h>
#include <nlohmann/json.hpp>

#include "base/embedded.h"
#include "base/id.h"
#include "feel/columnar.h"
#include "feel/feel.h"
#include "people/authorization.h"
#include "people/timestamp.h"
#include "registers/columns.h"
#include "registers/import.h"

namespace tongban {
extern const EmbeddedFile kBenefitsFiles[];
extern const size_t kBenefitsFiles_count;
}  // namespace tongban

namespace tongban::benefits {
namespace {

std::string DateText(const std::optional<Date>& d) { return d ? d->ToString() : std::string(); }

Result<int64_t> ParseFen(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) {
    return Error(ErrorCode::kInvalidArgument, "bad amount",
                 {{"amount_fen", "a whole number of fen >= 0"}});
  }
  return v;
}

}  // namespace

Result<store::MigrationSet> Migrations() {
  return store::LoadMigrations("benefits", kBenefitsFiles, kBenefitsFiles_count);
}

Result<std::unique_ptr<Benefits>> Benefits::Create(store::Database& db,
                                                   registers::Registers& registers,
                                                   const Clock& clock, people::SmsGateway* sms) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries,
                      store::QuerySet::Load(kBenefitsFiles, kBenefitsFiles_count));
  return std::unique_ptr<Benefits>(new Benefits(db, registers, clock, sms, std::move(queries)));
}

int64_t Benefits::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch())
      .count();
}

// ---- Policies

Result<Policy> Benefits::Publish(const people::Principal& by, std::string_view yaml) {
  TB_ASSIGN_OR_RETURN(Policy p, ParsePolicy(yaml));
  TB_RETURN_IF_ERROR(people::Authorize(by, "policy.write", {.region = p.region}, NowMs()));
  TB_RETURN_IF_ERROR(CheckPolicy(p));
  TB_RETURN_IF_ERROR(CheckLicenceRefs(db_, RewriteLicenceRefs(p.eligibility), p.subject));
  const std::string now = people::FormatTimestamp(NowMs());
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    int64_t newest = 0;
    store::Execute(sql, Q("newest_policy_version"), soci::use(p.name, "name"), soci::into(newest));
    if (p.version <= newest) {
      std::string source;
      if (store::Execute(sql, Q("policy_source"), soci::use(p.name, "name"),
                         soci::use(p.version, "version"), soci::into(source))
              .got_data) {
        return Error(ErrorCode::kAlreadyExists, "this policy version is published",
                     {{"version", fmt::format("{} exists", p.version)}});
      }
      return Error(ErrorCode::kConflict, "a newer version is published",
                   {{"version", fmt::format("must be above {}", newest)}});
    }
    std::string kind(PolicyKindName(p.kind));
    std::string from = p.valid_from.ToString();
    std::string to = DateText(p.valid_to);
    std::string by_id = by.account.id;
    store::Execute(
        sql, Q("insert_policy"), soci::use(p.name, "name"), soci::use(p.version, "version"),
        soci::use(kind, "kind"), soci::use(p.title, "title"), soci::use(p.region, "region"),
        soci::use(from, "valid_from"), soci::use(to, "valid_to"), soci::use(p.source, "source"),
        soci::use(now, "published_at"), soci::use(by_id, "published_by"));
    return Ok();
  }));
  return p;
}

Result<std::vector<Policy>> Benefits::ListPolicies() {
  std::vector<Policy> out;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    std::string source;
    std::vector<std::string> sources;
    store::ExecuteRows(
        sql, Q("newest_policies"), [&] { sources.push_back(source); }, soci::into(source));
    for (const auto& s : sources) {
      TB_ASSIGN_OR_RETURN(Policy p, ParsePolicy(s));
      out.push_back(std::move(p));
    }
    return Ok();
  }));
  return out;
}

Result<Policy> Benefits::GetPolicy(std::string_view name, int64_t version) {
  std::string n(name);
  std::string source;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    int64_t v = version;
    if (v == 0)
      store::Execute(sql, Q("newest_policy_version"), soci::use(n, "name"), soci::into(v));
    if (!store::Execute(sql, Q("policy_source"), soci::use(n, "name"), soci::use(v, "version"),
                        soci::into(source))
             .got_data) {
      return Error(ErrorCode::kNotFound, fmt::format("no policy {} version {}", name, version));
    }
    return Ok();
  }));
  return ParsePolicy(source);
}

Result<Policy> Benefits::PolicyInForce(std::string_view name, Date date) {
  std::string n(name);
  std::vector<std::string> sources;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    std::string source;
    store::ExecuteRows(
        sql, Q("policy_sources"), [&] { sources.push_back(source); }, soci::use(n, "name"),
        soci::into(source));
    return Ok();
  }));
  if (sources.empty()) return Error(ErrorCode::kNotFound, fmt::format("no policy {}", name));
  for (const auto& s : sources) {  // newest first
    TB_ASSIGN_OR_RETURN(Policy p, ParsePolicy(s));
    if (p.InForce(date)) return p;
  }
  return Error(ErrorCode::kNotFound,
               fmt::format("no version of policy {} is in force on {}", name, date.ToString()));
}

// ---- The grant roll

Result<GrantImport> Benefits::ImportGrants(const people::Principal& by, std::string_view policy,
                                           std::string_view csv) {
  TB_ASSIGN_OR_RETURN(Policy p, GetPolicy(policy));
  GrantImport report;
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < csv.size();) {
    size_t nl = csv.find('\n', pos);
    if (nl == std::string_view::npos) nl = csv.size();
    std::string_view line = csv.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = nl + 1;
  }
  if (lines.empty()) {
    return Error(ErrorCode::kInvalidArgument, "empty file", {{"csv", "no header line"}});
  }
  const std::vector<std::string> header = registers::SplitCsvLine(lines[0]);
  auto column = [&](std::string_view name) -> int {
    auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : static_cast<int>(it - header.begin());
  };
  const int c_person = column("person_id");
  const int c_id_number = column("id_number");
  const int c_amount = column("amount_fen");
  const int c_start = column("start_date");
  const int c_end = column("end_date");
  FieldErrors missing;
  if (c_person < 0 && c_id_number < 0) missing.Add("person_id", "missing column (or id_number)");
  if (c_amount < 0) missing.Add("amount_fen", "missing column");
  if (c_start < 0) missing.Add("start_date", "missing column");
  if (!missing.empty()) return missing.ToError("the header lacks required columns");
  const std::string now = people::FormatTimestamp(NowMs());
  const int64_t now_ms = NowMs();
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    report = GrantImport{};
    for (size_t i = 1; i < lines.size(); ++i) {
      if (lines[i].empty()) continue;
      const auto line_no = static_cast<int64_t>(i + 1);
      auto reject = [&](std::string field, std::string reason) {
        report.rejected.push_back({line_no, std::move(field), std::move(reason)});
      };
      std::vector<std::string> cells = registers::SplitCsvLine(lines[i]);
      auto cell = [&](int c) {
        return c >= 0 && c < static_cast<int>(cells.size()) ? cells[c] : "";
      };
      std::string person = cell(c_person);
      if (c_person < 0) {  // found through the ID number's blind index
        std::string idx = registers_.cipher().Index("id_number", cell(c_id_number));
        if (!store::Execute(sql, Q("person_by_id_number_index"), soci::use(idx, "idx"),
                            soci::into(person))
                 .got_data) {
          reject("id_number", "not in the person register");
          continue;
        }
      }
      std::string region;
      if (!store::Execute(sql, Q("person_region"), soci::use(person, "id"), soci::into(region))
               .got_data) {
        reject("person_id", "not in the person register");
        continue;
      }
      if (!people::Authorize(by, "policy.grant", {.region = region}, now_ms).ok()) {
        reject("person_id", "outside your region");
        continue;
      }
      auto amount = ParseFen(cell(c_amount));
      if (!amount.ok()) {
        reject("amount_fen", "a whole number of fen >= 0");
        continue;
      }
      auto start = Date::Parse(cell(c_start), "start_date");
      if (!start.ok()) {
        reject("start_date", "a date YYYY-MM-DD");
        continue;
      }
      std::string end;
      if (!cell(c_end).empty()) {
        auto e = Date::Parse(cell(c_end), "end_date");
        if (!e.ok() || *e < *start) {
          reject("end_date", "a date YYYY-MM-DD not before start_date");
          continue;
        }
        end = e->ToString();
      }
      std::string start_text = start->ToString();
      std::string source = "import";
      std::string run_id;
      std::string by_id = by.account.id;
      int64_t fen = *amount;
      if (store::Execute(sql, Q("insert_grant"), soci::use(p.name, "policy"),
                         soci::use(person, "person_id"), soci::use(start_text, "start_date"),
                         soci::use(end, "end_date"), soci::use(fen, "amount_fen"),
                         soci::use(region, "region"), soci::use(source, "source"),
                         soci::use(run_id, "run_id"), soci::use(now, "created_at"),
                         soci::use(by_id, "created_by"))
              .affected_rows == 0) {
        reject("person_id", "already on the roll from this start_date");
        continue;
      }
      ++report.imported;
    }
    return Ok();
  }));
  return report;
}

Status Benefits::AddGrant(const people::Principal& by, const Grant& g) {
  TB_RETURN_IF_ERROR(people::Authorize(by, "policy.grant", {.region = g.region}, NowMs()));
  GrantRequest r{.policy = g.policy,
                 .run_id = g.run_id,
                 .person_id = g.person_id,
                 .region = g.region,
                 .amount_fen = g.amount_fen,
                 .start = g.start};
  return GrantNow(r, g.source.empty() ? "manual" : g.source, by.account.id);
}

Status Benefits::GrantNow(const GrantRequest& r, std::string_view source, std::string_view by) {
  const std::string now = people::FormatTimestamp(NowMs());
  return db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    std::string policy = r.policy, person = r.person_id, start = r.start.ToString(), end,
                region = r.region, src(source), run = r.run_id, by_id(by);
    int64_t fen = r.amount_fen;
    if (store::Execute(
            sql, Q("insert_grant"), soci::use(policy, "policy"), soci::use(person, "person_id"),
            soci::use(start, "start_date"), soci::use(end, "end_date"),
            soci::use(fen, "amount_fen"), soci::use(region, "region"), soci::use(src, "source"),
            soci::use(run, "run_id"), soci::use(now, "created_at"), soci::use(by_id, "created_by"))
            .affected_rows == 0) {
      return Error(ErrorCode::kAlreadyExists, "the person is on the roll from this date",
                   {{"person_id", r.person_id}});
    }
    return Ok();
  });
}

Result<std::vector<PaymentLine>> Benefits::PaymentRoll(std::string_view policy,
                                                       std::string_view period) {
  TB_ASSIGN_OR_RETURN(Policy p, GetPolicy(policy));
  std::string first, last;
  Error bad(ErrorCode::kInvalidArgument, "bad period",
            {{"period", fmt::format("the {} policy's period is {}", CycleName(p.cycle),
                                    p.cycle == Cycle::kMonthly  ? "YYYY-MM"
                                    : p.cycle == Cycle::kYearly ? "YYYY"
                                                                : "once")}});
  if (p.cycle == Cycle::kMonthly) {
    auto d = Date::Parse(fmt::format("{}-01", period));
    if (period.size() != 7 || !d.ok()) return bad;
    const CivilDate c = d->civil();
    auto next =
        c.month == 12 ? Date::FromCivil(c.year + 1, 1, 1) : Date::FromCivil(c.year, c.month + 1, 1);
    if (!next.ok()) return bad;
    first = d->ToString();
    last = next->AddDays(-1).ToString();
  } else if (p.cycle == Cycle::kYearly) {
    auto d = Date::Parse(fmt::format("{}-01-01", period));
    if (period.size() != 4 || !d.ok()) return bad;
    first = d->ToString();
    last = fmt::format("{}-12-31", period);
  } else {
    if (period != "once") return bad;
    first = "0000-00-00";
    last = "9999-99-99";
  }
  std::vector<PaymentLine> out;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    PaymentLine l;
    long long fen = 0;
    store::ExecuteRows(
        sql, Q("payment_roll"),
        [&] {
          l.amount_fen = fen;
          // A person with two grants overlapping the cycle is paid once, by the later grant.
          if (!out.empty() && out.back().person_id == l.person_id) {
            out.back() = l;
          } else {
            out.push_back(l);
          }
        },
        soci::use(p.name, "policy"), soci::use(last, "last"), soci::use(first, "first"),
        soci::into(l.person_id), soci::into(l.region), soci::into(fen));
    return Ok();
  }));
  return out;
}

void WritePaymentRollCsv(const std::vector<PaymentLine>& lines, std::ostream& out) {
  out << "person_id,region,amount_fen,amount_yuan\n";
  for (const auto& l : lines) {
    out << l.person_id << ',' << l.region << ',' << l.amount_fen << ',' << FenToYuan(l.amount_fen)
        << '\n';
  }
}

Status WritePaymentRollXlsx(const std::vector<PaymentLine>& lines, std::string_view title,
                            const std::string& path) {
  lxw_workbook* wb = workbook_new(path.c_str());
  if (wb == nullptr) {
    return Error(ErrorCode::kInvalidArgument, "cannot create the workbook", {{"path", path}});
  }
  lxw_worksheet* ws = workbook_add_worksheet(wb, "发放名册");
  lxw_format* money = workbook_add_format(wb);
  format_set_num_format(money, "0.00");
  const std::string t(title);
  worksheet_write_string(ws, 0, 0, t.c_str(), nullptr);
  const char* heads[] = {"person_id", "region", "amount_fen", "amount_yuan"};
  for (lxw_col_t c = 0; c < 4; ++c) worksheet_write_string(ws, 1, c, heads[c], nullptr);
  int64_t total = 0;
  lxw_row_t row = 2;
  for (const auto& l : lines) {
    worksheet_write_string(ws, row, 0, l.person_id.c_str(), nullptr);
    worksheet_write_string(ws, row, 1, l.region.c_str(), nullptr);
    worksheet_write_number(ws, row, 2, static_cast<double>(l.amount_fen), nullptr);
    worksheet_write_number(ws, row, 3, static_cast<double>(l.amount_fen) / 100.0, money);
    total += l.amount_fen;
    ++row;
  }
  worksheet_write_string(ws, row, 0, "合计", nullptr);
  worksheet_write_number(ws, row, 2, static_cast<double>(total), nullptr);
  worksheet_write_number(ws, row, 3, static_cast<double>(total) / 100.0, money);
  if (lxw_error e = workbook_close(wb); e != LXW_NO_ERROR) {
    return Error(ErrorCode::kStorage, fmt::format("writing {}: {}", path, lxw_strerror(e)));
  }
  return Ok();
}

void WriteResultsCsv(const std::vector<MatchResult>& results, std::ostream& out) {
  auto quote = [](const std::string& s) {
    std::string q = "\"";
    for (char c : s) {
      if (c == '"') q += '"';
      q += c;
    }
    return q + "\"";
  };
  out << "person_id,region,kind,amount_fen,explanation\n";
  for (const auto& r : results) {
    out << r.person_id << ',' << r.region << ',' << r.kind << ',' << r.amount_fen << ','
        << quote(r.explanation) << '\n';
  }
}

}  // namespace tongban::benefits
