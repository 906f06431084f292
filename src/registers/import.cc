#include "registers/import.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/id.h"
#include "base/region.h"
#include "crypto/sm3.h"

namespace tongban::registers {
namespace {

constexpr size_t kFingerprintBytes = 64 * 1024;

struct BadRow {
  int64_t line = 0;
  std::string field;
  std::string reason;
};

std::string CsvQuote(std::string_view s) {
  if (s.find_first_of(",\"\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Which column holds each field; -1 when the header lacks it.
class Header {
 public:
  Header(const std::vector<std::string>& names) {  // NOLINT(google-explicit-constructor)
    for (size_t i = 0; i < names.size(); ++i) index_[names[i]] = static_cast<int>(i);
  }
  int operator[](std::string_view name) const {
    auto it = index_.find(std::string(name));
    return it == index_.end() ? -1 : it->second;
  }

 private:
  std::map<std::string, int> index_;
};

std::string_view Cell(const std::vector<std::string>& cells, int column) {
  return column >= 0 && static_cast<size_t>(column) < cells.size() ? std::string_view(cells[column])
                                                                   : std::string_view();
}

// Region codes already checked, so 10 million rows look each code up once.
class RegionCache {
 public:
  explicit RegionCache(store::Database& db) : db_(db) {}
  bool Exists(const std::string& code) {
    auto it = known_.find(code);
    if (it != known_.end()) return it->second;
    bool exists = LookupRegion(code).ok();
    if (!exists && ParseRegionCode(code).ok()) {
      int n = 0;
      std::string c = code;
      auto s = db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
        sql << "SELECT COUNT(*) FROM region WHERE code = :code", soci::use(c, "code"),
            soci::into(n);
        return Ok();
      });
      exists = s.ok() && n > 0;
    }
    known_.emplace(code, exists);
    return exists;
  }

 private:
  store::Database& db_;
  std::unordered_map<std::string, bool> known_;
};

const char* const kPersonRequired[] = {"id_number", "name", "sex", "birth_date",
                                       "household_region"};
const char* const kEntityRequired[] = {
    "uscc", "name", "type", "legal_representative", "industry", "size", "registered_region"};

std::optional<bool> ParseBool(std::string_view s) {
  if (s == "true" || s == "1" || s == "是") return true;
  if (s == "false" || s == "0" || s == "否" || s.empty()) return false;
  return std::nullopt;
}

// A person from a row, or the row's problems.
bool PersonFromCells(const Header& h, const std::vector<std::string>& cells, Date today,
                     RegionCache& regions, Person& p, FieldErrors& errors) {
  p = Person{};
  p.id_number = std::string(Cell(cells, h["id_number"]));
  p.name = std::string(Cell(cells, h["name"]));
  auto sex = ParseSex(Cell(cells, h["sex"]));
  if (!sex) {
    errors.Add("sex", fmt::format("'{}' is not male or female", Cell(cells, h["sex"])));
  } else {
    p.sex = *sex;
  }
  auto birth = Date::Parse(Cell(cells, h["birth_date"]), "birth_date");
  if (!birth.ok()) {
    errors.Add("birth_date",
               fmt::format("'{}' is not a date YYYY-MM-DD", Cell(cells, h["birth_date"])));
  } else {
    p.birth_date = *birth;
  }
  p.household_region = std::string(Cell(cells, h["household_region"]));
  p.address = std::string(Cell(cells, h["address"]));
  p.phone = std::string(Cell(cells, h["phone"]));
  auto enumerated = [&](const char* field, auto parse, auto& out) {
    std::string_view v = Cell(cells, h[field]);
    if (v.empty()) return;
    auto parsed = parse(v);
    if (!parsed) {
      errors.Add(field, fmt::format("unknown value '{}'", v));
    } else {
      out = *parsed;
    }
  };
  enumerated("income_band", ParseIncomeBand, p.income_band);
  enumerated("assistance", ParseAssistance, p.assistance);
  std::string_view certificate = Cell(cells, h["disability_certificate"]);
  std::string_view category = Cell(cells, h["disability_category"]);
  std::string_view level = Cell(cells, h["disability_level"]);
  if (!certificate.empty() || !category.empty() || !level.empty()) {
    Disability d;
    d.certificate = std::string(certificate);
    auto c = ParseDisabilityCategory(category);
    if (!c) {
      errors.Add("disability_category", fmt::format("unknown value '{}'", category));
    } else {
      d.category = *c;
    }
    int lv = 0;
    auto [ptr, ec] = std::from_chars(level.data(), level.data() + level.size(), lv);
    if (ec != std::errc() || ptr != level.data() + level.size()) {
      errors.Add("disability_level", fmt::format("'{}' is not a level 1-4", level));
    } else {
      d.level = lv;
    }
    if (certificate.empty()) errors.Add("disability_certificate", "required with a category");
    p.disability = d;
  }
  auto care = ParseBool(Cell(cells, h["long_term_care"]));
  if (!care) {
    errors.Add("long_term_care", "must be true or false");
  } else {
    p.long_term_care = *care;
  }
  if (!errors.empty()) return false;
  ValidatePerson(p, today, errors);
  if (errors.empty() && !regions.Exists(p.household_region)) {
    errors.Add("household_region", fmt::format("region {} does not exist", p.household_region));
  }
  return errors.empty();
}

bool EntityFromCells(const Header& h, const std::vector<std::string>& cells, RegionCache& regions,
                     Entity& e, FieldErrors& errors) {
  e = Entity{};
  e.uscc = std::string(Cell(cells, h["uscc"]));
  e.name = std::string(Cell(cells, h["name"]));
  e.legal_representative = std::string(Cell(cells, h["legal_representative"]));
  e.industry = std::string(Cell(cells, h["industry"]));
  e.registered_region = std::string(Cell(cells, h["registered_region"]));
  auto enumerated = [&](const char* field, auto parse, auto& out, bool required) {
    std::string_view v = Cell(cells, h[field]);
    if (v.empty() && !required) return;
    auto parsed = parse(v);
    if (!parsed) {
      errors.Add(field, fmt::format("unknown value '{}'", v));
    } else {
      out = *parsed;
    }
  };
  enumerated("type", ParseEntityType, e.type, true);
  enumerated("size", ParseEntitySize, e.size, true);
  enumerated("status", ParseEntityStatus, e.status, false);
  ValidateEntity(e, errors);
  if (errors.empty() && !regions.Exists(e.registered_region)) {
    errors.Add("registered_region", fmt::format("region {} does not exist", e.registered_region));
  }
  return errors.empty();
}

std::string Fingerprint(const std::string& path, int64_t size) {
  std::ifstream in(path, std::ios::binary);
  std::string head(kFingerprintBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  return crypto::Sm3Hex(fmt::format("{}:{}", size, head));
}

}  // namespace

std::vector<std::string> SplitCsvLine(std::string_view line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cur += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
  return out;
}

Result<ImportReport> ImportCsv(Registers& registers, ImportKind kind, const std::string& path,
                               const ImportOptions& options) {
  std::error_code ec;
  const auto size = static_cast<int64_t>(std::filesystem::file_size(path, ec));
  if (ec) return Error(ErrorCode::kNotFound, fmt::format("cannot read {}: {}", path, ec.message()));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kNotFound, fmt::format("cannot open {}", path));
  if (options.batch_size < 1) {
    return Error(ErrorCode::kInvalidArgument, "bad batch size", {{"batch_size", "must be >= 1"}});
  }
  store::Database& db = registers.db();
  const store::QuerySet& q = registers.queries();
  const store::Backend backend = db.backend();
  const std::string kind_name = kind == ImportKind::kPersons ? "persons" : "entities";

  std::string header_line;
  std::getline(in, header_line);
  if (!header_line.empty() && header_line.back() == '\r') header_line.pop_back();
  if (header_line.starts_with("\xEF\xBB\xBF")) header_line.erase(0, 3);  // BOM
  const Header header(SplitCsvLine(header_line));
  FieldErrors missing;
  if (kind == ImportKind::kPersons) {
    for (const char* c : kPersonRequired) {
      if (header[c] < 0) missing.Add(c, "column missing from the header");
    }
  } else {
    for (const char* c : kEntityRequired) {
      if (header[c] < 0) missing.Add(c, "column missing from the header");
    }
  }
  if (!missing.empty()) return missing.ToError(fmt::format("{}: bad header", path));
  const int64_t data_start = static_cast<int64_t>(in.tellg());

  // The job: found by the file's fingerprint, so that a rerun knows where the last one stopped.
  ImportReport report;
  report.report_path = options.report_path.empty() ? path + ".errors.csv" : options.report_path;
  std::string fingerprint = Fingerprint(path, size);
  int64_t offset = data_start;
  std::string status = "running";
  TB_RETURN_IF_ERROR(db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    std::string id, next_offset;
    int next_line = 0, imported = 0, rejected = 0;
    soci::indicator ind = soci::i_ok;
    sql << q.Get("find_import", backend), soci::use(kind_name, "kind"),
        soci::use(fingerprint, "fingerprint"), soci::into(id, ind), soci::into(next_line),
        soci::into(next_offset), soci::into(imported), soci::into(rejected), soci::into(status);
    if (sql.got_data()) {
      if (status == "done") {
        return Error(ErrorCode::kConflict,
                     fmt::format("{} was imported completely by import {}", path, id));
      }
      if (options.resume == Resume::kNo) {
        return Error(
            ErrorCode::kConflict,
            fmt::format("an interrupted import of {} exists ({}); rerun with --resume", path, id));
      }
      report.job_id = id;
      report.resumed = true;
      report.lines = next_line;
      report.imported = imported;
      report.rejected = rejected;
      offset = std::stoll(next_offset);
      return Ok();
    }
    static IdGenerator ids;
    report.job_id = ids.Next(registers.clock()).ToString();
    std::string now = trace::FormatTime(std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            registers.clock().Now().time_since_epoch())));
    std::string off = std::to_string(offset);
    int zero = 0;
    status = "running";
    sql << q.Get("insert_import", backend), soci::use(report.job_id, "id"),
        soci::use(kind_name, "kind"), soci::use(fingerprint, "fingerprint"),
        soci::use(zero, "next_line"), soci::use(off, "next_offset"), soci::use(zero, "imported"),
        soci::use(zero, "rejected"), soci::use(status, "status"), soci::use(now, "started_at"),
        soci::use(now, "updated_at");
    return Ok();
  }));
  in.seekg(offset);

  // Secondary indexes are built after a bulk load into an empty table: one sort instead of
  // millions of random B-tree inserts.
  bool rebuild_indexes = false;
  if (kind == ImportKind::kPersons) {
    TB_RETURN_IF_ERROR(db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      long long n = 0;
      sql << q.Get("count_persons", backend), soci::into(n);
      if (n == 0 || report.resumed) {
        sql << "DROP INDEX IF EXISTS person_household_region";
        sql << "DROP INDEX IF EXISTS person_phone_index";
        rebuild_indexes = true;
      }
      return Ok();
    }));
  }

  std::ofstream bad_out(report.report_path, report.resumed ? std::ios::app : std::ios::trunc);
  if (!report.resumed) bad_out << "line,field,reason\n";

  RegionCache regions(db);
  const Date today = TodayInChina(registers.clock());
  const std::string updated_by = "import:" + report.job_id;
  const std::string now_text = trace::FormatTime(std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          registers.clock().Now().time_since_epoch())));
  IdGenerator ids;
  int batches = 0;
  // One batch read, validated and sealed ahead of the one being inserted: parsing, checks and
  // SM4/HMAC run on one core while SQLite writes on the other.
  struct Batch {
    std::vector<PersonRow> person_rows;
    std::vector<Entity> entities;
    std::vector<int64_t> row_lines;
    std::vector<BadRow> bad;
    int64_t batch_lines = 0;
    int64_t bad_rows = 0;
    int64_t next_offset = 0;
    bool eof = false;
  };
  int64_t lines_read = report.lines;
  auto prepare = [&]() -> Batch {
    Batch b;
    std::string line;
    std::vector<std::string> cells;
    Person person;
    Entity entity;
    while (static_cast<int>(b.person_rows.size() + b.entities.size()) < options.batch_size) {
      if (!std::getline(in, line)) {
        b.eof = true;
        break;
      }
      ++b.batch_lines;
      const int64_t line_no = lines_read + b.batch_lines + 1;  // the header is line 1
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      cells = SplitCsvLine(line);
      FieldErrors errors;
      bool ok = kind == ImportKind::kPersons
                    ? PersonFromCells(header, cells, today, regions, person, errors)
                    : EntityFromCells(header, cells, regions, entity, errors);
      if (ok && options.region_allowed) {
        const bool persons = kind == ImportKind::kPersons;
        if (!options.region_allowed(persons ? person.household_region : entity.registered_region)) {
          errors.Add(persons ? "household_region" : "registered_region",
                     "outside the importer's scope");
          ok = false;
        }
      }
      if (!ok) {
        for (const auto& f : errors.fields()) b.bad.push_back({line_no, f.field, f.message});
        ++b.bad_rows;
        continue;
      }
      b.row_lines.push_back(line_no);
      if (kind == ImportKind::kPersons) {
        person.id = ids.Next(registers.clock()).ToString();
        person.version = 1;
        person.updated_at = now_text;
        person.updated_by = updated_by;
        b.person_rows.push_back(ToRow(registers.cipher(), person));
      } else {
        entity.version = 1;
        entity.updated_at = now_text;
        entity.updated_by = updated_by;
        b.entities.push_back(entity);
      }
    }
    lines_read += b.batch_lines;
    b.next_offset = b.eof ? size : static_cast<int64_t>(in.tellg());
    return b;
  };
  Batch current = prepare();
  while (true) {
    std::future<Batch> ahead;
    const bool stopping =
        (options.stop_after_batches > 0 && batches + 1 >= options.stop_after_batches) ||
        (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed));
    if (!current.eof && !stopping) ahead = std::async(std::launch::async, prepare);
    auto& [person_rows, entities, row_lines, bad, batch_lines, bad_rows, next_offset, eof] =
        current;
    if (batch_lines == 0) {
      // The file ended right after a full batch: that batch was committed as still running.
      TB_RETURN_IF_ERROR(db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
        sql << "UPDATE register_import SET status = 'done' WHERE id = :id",
            soci::use(report.job_id, "id");
        return Ok();
      }));
      break;
    }
    int64_t imported = 0;
    std::vector<BadRow> duplicates;
    TB_RETURN_IF_ERROR(db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      imported = 0;
      duplicates.clear();
      if (backend == store::Backend::kSqlite) {
        // The blind indexes arrive in random order: with SQLite's default 2 MB page cache every
        // insert into them reads pages back from the file. 256 MB keeps them in memory.
        sql << "PRAGMA cache_size=-262144";
      }
      if (kind == ImportKind::kPersons) {
        PersonRow row;
        soci::statement st(sql);
        detail::UsePersonRow(st, row);
        st.alloc();
        st.prepare(q.Get("insert_person", backend));
        st.define_and_bind();
        for (size_t i = 0; i < person_rows.size(); ++i) {
          row = person_rows[i];
          st.execute(true);
          if (st.get_affected_rows() == 1) {
            ++imported;
          } else {
            duplicates.push_back({row_lines[i], "id_number", "already registered"});
          }
        }
      } else {
        for (size_t i = 0; i < entities.size(); ++i) {
          auto created = detail::InsertEntity(sql, q, backend, entities[i]);
          if (!created.ok()) return std::move(created).error();
          if (*created) {
            ++imported;
          } else {
            duplicates.push_back({row_lines[i], "uscc", "already registered"});
          }
        }
      }
      int next_line = static_cast<int>(report.lines + batch_lines);
      std::string off = std::to_string(next_offset);
      int total_imported = static_cast<int>(report.imported + imported);
      int total_rejected =
          static_cast<int>(report.rejected + bad_rows + static_cast<int64_t>(duplicates.size()));
      std::string st_text = eof ? "done" : "running";
      std::string now = now_text;
      sql << q.Get("update_import", backend), soci::use(next_line, "next_line"),
          soci::use(off, "next_offset"), soci::use(total_imported, "imported"),
          soci::use(total_rejected, "rejected"), soci::use(st_text, "status"),
          soci::use(now, "updated_at"), soci::use(report.job_id, "id");
      return Ok();
    }));
    // Reported only once the batch is committed, so a resumed run reports no line twice.
    bad.insert(bad.end(), duplicates.begin(), duplicates.end());
    std::sort(bad.begin(), bad.end(),
              [](const BadRow& a, const BadRow& b) { return a.line < b.line; });
    for (const auto& b : bad) {
      bad_out << b.line << ',' << CsvQuote(b.field) << ',' << CsvQuote(b.reason) << '\n';
    }
    bad_out.flush();
    report.lines += batch_lines;
    report.imported += imported;
    report.rejected += bad_rows + static_cast<int64_t>(duplicates.size());
    if (options.progress) {
      options.progress(ImportProgress{.bytes_done = next_offset,
                                      .bytes_total = size,
                                      .lines = report.lines,
                                      .imported = report.imported,
                                      .rejected = report.rejected});
    }
    ++batches;
    if (stopping && !eof) return report;
    if (!ahead.valid()) break;
    current = ahead.get();
  }
  if (rebuild_indexes) {
    TB_RETURN_IF_ERROR(db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      sql << "CREATE INDEX IF NOT EXISTS person_household_region ON person "
             "(household_region, id)";
      sql << "CREATE INDEX IF NOT EXISTS person_phone_index ON person (phone_index)";
      return Ok();
    }));
  }
  report.complete = true;
  auto traced =
      registers.trace().Append(trace::Event{.stream = "import/" + report.job_id,
                                            .actor = options.actor,
                                            .action = "register.import.completed",
                                            .payload = nlohmann::json{{"kind", kind_name},
                                                                      {"lines", report.lines},
                                                                      {"imported", report.imported},
                                                                      {"rejected", report.rejected}}
                                                           .dump()});
  if (!traced.ok()) return std::move(traced).error();
  return report;
}

}  // namespace tongban::registers
