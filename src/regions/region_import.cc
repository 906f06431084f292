#include "regions/region_import.h"

#include <fmt/format.h>

#include <unordered_map>

#include "base/utf8.h"

namespace tongban {

extern const EmbeddedFile kRegionsSql[];
extern const size_t kRegionsSql_count;

namespace regions {
namespace {

constexpr size_t kMaxListedErrors = 100;
constexpr size_t kBatch = 1000;

// Valid UTF-8 without control characters: PostgreSQL refuses invalid sequences, and a tab or a
// newline would break the file format on export.
bool IsCleanUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const utf8::Decoded d = utf8::Decode(s, i);
    if (!d.valid || d.code_point < 0x20 || d.code_point == 0x7F) return false;
    i += d.length;
  }
  return true;
}

// The codes that may hold `code`, nearest first.
std::vector<std::string> AncestorCandidates(const RegionCode& code) {
  std::vector<std::string> out;
  const std::string& c = code.code;
  if (code.level == RegionLevel::kVillage) out.push_back(c.substr(0, 9));
  if (code.level >= RegionLevel::kTown) out.push_back(c.substr(0, 6));
  if (code.level >= RegionLevel::kCounty) out.push_back(c.substr(0, 4) + "00");
  if (code.level >= RegionLevel::kCity) out.push_back(c.substr(0, 2) + "0000");
  return out;
}

std::optional<RegionLevel> LevelFromName(std::string_view name) {
  for (RegionLevel l : {RegionLevel::kProvince, RegionLevel::kCity, RegionLevel::kCounty,
                        RegionLevel::kTown, RegionLevel::kVillage}) {
    if (RegionLevelName(l) == name) return l;
  }
  return std::nullopt;
}

}  // namespace

Result<store::MigrationSet> Migrations() {
  return store::LoadMigrations("regions", kRegionsSql, kRegionsSql_count);
}

Result<std::vector<ImportedRegion>> ParseRegionFile(std::string_view text) {
  std::vector<ImportedRegion> out;
  struct Seen {
    RegionLevel level;
    size_t line;
  };
  std::unordered_map<std::string, Seen> in_file;
  FieldErrors errors;
  size_t error_count = 0;
  auto fail = [&](size_t line, std::string why) {
    if (++error_count <= kMaxListedErrors) errors.Add(fmt::format("line {}", line), std::move(why));
  };

  size_t line_no = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      fail(line_no, "expected CODE<TAB>NAME");
      continue;
    }
    auto code = ParseRegionCode(line.substr(0, tab));
    if (!code.ok()) {
      fail(line_no, code.error().message());
      continue;
    }
    const std::string_view name = line.substr(tab + 1);
    if (name.empty() || !IsCleanUtf8(name)) {
      fail(line_no, "the name must be non-empty UTF-8 without tabs or control characters");
      continue;
    }
    if (auto [it, fresh] = in_file.emplace(code->code, Seen{code->level, line_no}); !fresh) {
      fail(line_no,
           fmt::format("region code {} already appears on line {}", code->code, it->second.line));
      continue;
    }
    out.push_back(
        {.code = code->code, .name = std::string(name), .level = code->level, .parent_code = {}});
  }

  // Parents are resolved once every line is known, so the file's order does not matter.
  std::unordered_map<std::string, std::optional<RegionLevel>> embedded;
  auto level_of = [&](const std::string& code) -> std::optional<RegionLevel> {
    if (auto it = in_file.find(code); it != in_file.end()) return it->second.level;
    auto [it, fresh] = embedded.emplace(code, std::nullopt);
    if (fresh) {
      if (auto r = LookupRegion(code); r.ok()) it->second = r->level;
    }
    return it->second;
  };
  for (ImportedRegion& r : out) {
    if (r.level == RegionLevel::kProvince) continue;
    for (const std::string& candidate : AncestorCandidates({r.code, r.level})) {
      auto level = level_of(candidate);
      if (level && *level < r.level) {
        r.parent_code = candidate;
        break;
      }
    }
    if (r.parent_code.empty()) {
      fail(in_file.at(r.code).line,
           fmt::format("no region above {} is known (its {} should exist)", r.code,
                       AncestorCandidates({r.code, r.level}).front()));
    }
  }
  if (!errors.empty()) {
    return errors.ToError(fmt::format("the region file has {} invalid line{}{}", error_count,
                                      error_count == 1 ? "" : "s",
                                      error_count > kMaxListedErrors ? " (first 100 listed)" : ""));
  }
  if (out.empty()) return Error(ErrorCode::kInvalidArgument, "the region file holds no region");
  return out;
}

Result<RegionRepository> RegionRepository::Create(store::Database& db) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries,
                      store::QuerySet::Load(kRegionsSql, kRegionsSql_count));
  return RegionRepository(db, std::move(queries));
}

Result<size_t> RegionRepository::Import(const std::vector<ImportedRegion>& regions) {
  const std::string& upsert = queries_.Get("upsert_region", db_->backend());
  TB_RETURN_IF_ERROR(db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    std::vector<std::string> codes, names, levels, parents;
    for (size_t i = 0; i < regions.size(); i += kBatch) {
      codes.clear();
      names.clear();
      levels.clear();
      parents.clear();
      for (size_t k = i; k < std::min(regions.size(), i + kBatch); ++k) {
        codes.push_back(regions[k].code);
        names.push_back(regions[k].name);
        levels.emplace_back(RegionLevelName(regions[k].level));
        parents.push_back(regions[k].parent_code);
      }
      sql << upsert, soci::use(codes, "code"), soci::use(names, "name"), soci::use(levels, "level"),
          soci::use(parents, "parent_code");
    }
    return Ok();
  }));
  return regions.size();
}

Result<RegionInfo> RegionRepository::Lookup(std::string_view code) {
  auto embedded = LookupRegion(code);
  if (embedded.ok() || embedded.error().code() != ErrorCode::kNotFound) return embedded;
  TB_ASSIGN_OR_RETURN(RegionCode parsed, ParseRegionCode(code));
  struct Row {
    std::string name, level, parent_code;
  };
  std::optional<Row> row;
  TB_RETURN_IF_ERROR(db_->Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    Row r;
    sql << queries_.Get("find_region", db_->backend()), soci::use(parsed.code, "code"),
        soci::into(r.name), soci::into(r.level), soci::into(r.parent_code);
    if (sql.got_data()) row = std::move(r);
    return Ok();
  }));
  if (!row) return std::move(embedded).error();
  RegionInfo info;
  info.code = parsed.code;
  info.name = row->name;
  info.level = LevelFromName(row->level).value_or(parsed.level);
  info.parent_code = row->parent_code;
  if (!info.parent_code.empty()) {
    // Parents are always shorter codes, so this recursion ends within five steps.
    auto parent = Lookup(info.parent_code);
    if (parent.ok()) info.full_name = parent->full_name;
  }
  info.full_name += info.name;
  return info;
}

Result<size_t> RegionRepository::ImportedCount() {
  return db_->Transaction<size_t>(store::TxKind::kRead, [&](soci::session& sql) -> Result<size_t> {
    long long n = 0;
    sql << queries_.Get("count_regions", db_->backend()), soci::into(n);
    return static_cast<size_t>(n);
  });
}

}  // namespace regions
}  // namespace tongban
