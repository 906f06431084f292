#include "catalog/service.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <map>

#include "base/utf8.h"
#include "catalog/certificates_generation.h"
#include "catalog/search.h"
#include "catalog/text.h"
#include "catalog/validate.h"
#include "catalog/yaml_io.h"

namespace tongban::catalog {
namespace {

std::atomic<uint64_t> imports_committed{0};  // CertificatesGeneration()

using store::TxKind;

constexpr int kMaxPageSize = 100;
constexpr size_t kMaxKeywordBytes = 100;
constexpr std::string_view kCursorVersion = "1";

Status RequireActor(const std::string& actor) {
  if (actor.empty() || actor.size() > 200 || !utf8::IsValid(actor)) {
    return Error(ErrorCode::kInvalidArgument, "the acting account id is missing or malformed",
                 {{"actor", "is required"}});
  }
  return Ok();
}

Status CheckRevision(std::optional<int64_t> expected, int64_t actual, std::string_view code) {
  if (!expected) {
    return Error(ErrorCode::kPreconditionRequired,
                 fmt::format("name the revision of matter {} you are changing (If-Match)", code));
  }
  if (*expected != actual) {
    return Error(
        ErrorCode::kVersionMismatch,
        fmt::format("matter {} is at revision {}, not {}; reload it", code, actual, *expected));
  }
  return Ok();
}

Error NotFound(std::string_view what, std::string_view code) {
  return Error(ErrorCode::kNotFound,
               fmt::format("{} '{}' is not in the catalog", what, Excerpt(code, 80)));
}

std::string LikePattern(std::string_view keyword) {
  std::string out = "%";
  for (char c : AsciiLower(keyword)) {
    if (c == '!' || c == '%' || c == '_') out += '!';
    out += c;
  }
  out += '%';
  return out;
}

std::string EncodeCursor(Date as_of, const std::string& last_code) {
  return Base64UrlEncode(fmt::format("{}|{}|{}", kCursorVersion, as_of.ToString(), last_code));
}

bool DecodeCursor(std::string_view cursor, Date* as_of, std::string* last_code) {
  std::string text;
  if (cursor.size() > 400 || !Base64UrlDecode(cursor, &text)) return false;
  const size_t a = text.find('|');
  const size_t b = a == std::string::npos ? a : text.find('|', a + 1);
  if (b == std::string::npos || text.substr(0, a) != kCursorVersion) return false;
  auto date = Date::Parse(std::string_view(text).substr(a + 1, b - a - 1));
  if (!date.ok()) return false;
  *as_of = *date;
  *last_code = text.substr(b + 1);
  return !last_code->empty();
}

constexpr std::string_view kSearchCursorVersion = "s1";

std::string EncodeSearchCursor(Date as_of, const SearchHit& last) {
  return Base64UrlEncode(fmt::format("{}|{}|{}|{}|{}", kSearchCursorVersion, as_of.ToString(),
                                     last.score, last.code, last.name));
}

// The as-of date and the last hit of the previous page; false for anything else.
bool DecodeSearchCursor(std::string_view cursor, Date* as_of, SearchHit* last) {
  std::string text;
  if (cursor.size() > 1200 || !Base64UrlDecode(cursor, &text)) return false;
  std::vector<std::string> parts;
  size_t from = 0;
  for (int i = 0; i < 4; ++i) {
    const size_t bar = text.find('|', from);
    if (bar == std::string::npos) return false;
    parts.push_back(text.substr(from, bar - from));
    from = bar + 1;
  }
  parts.push_back(text.substr(from));  // the name, which may itself hold '|'
  if (parts[0] != kSearchCursorVersion || parts[3].empty()) return false;
  auto date = Date::Parse(parts[1]);
  if (!date.ok()) return false;
  int score = 0;
  try {
    size_t used = 0;
    score = std::stoi(parts[2], &used);
    if (used != parts[2].size()) return false;
  } catch (const std::exception&) {
    return false;
  }
  *as_of = *date;
  last->score = score;
  last->code = parts[3];
  last->name = parts[4];
  return true;
}

std::string StatusText(VersionStatus s) { return std::string(EnumId(s)); }

}  // namespace

uint64_t CertificatesGeneration() { return imports_committed.load(std::memory_order_acquire); }

CatalogService::CatalogService(store::Database& db, CatalogRepository repo, Options options)
    : db_(db),
      repo_(std::move(repo)),
      clock_(options.clock != nullptr ? *options.clock : SystemClock::Instance()),
      observer_(options.observer) {}

Result<std::unique_ptr<CatalogService>> CatalogService::Create(store::Database& db,
                                                               Options options) {
  TB_ASSIGN_OR_RETURN(CatalogRepository repo, CatalogRepository::Create(db.backend()));
  // A catalog stored before the search index existed is indexed once, here.
  TB_ASSIGN_OR_RETURN(int indexed, db.Transaction<int>(TxKind::kWrite, [&](soci::session& sql) {
    return repo.IndexMissingVersions(sql);
  }));
  if (indexed > 0) spdlog::info("catalog: indexed {} matter versions for search", indexed);
  return std::unique_ptr<CatalogService>(new CatalogService(db, std::move(repo), options));
}

Date CatalogService::Today() const { return TodayInChina(clock_); }

std::string CatalogService::NowText() const {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(clock_.Now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", seconds);
}

Status CatalogService::Notify(soci::session& sql, const CatalogChange& change) {
  if (observer_ == nullptr) return Ok();
  return observer_->OnCatalogChange(sql, change);
}

Status CatalogService::Advance(soci::session& sql, const std::string& code,
                               const CatalogRepository::ItemRow& seen, int latest_version) {
  if (repo_.AdvanceItem(sql, code, seen.revision, latest_version)) return Ok();
  return Error(ErrorCode::kVersionMismatch,
               fmt::format("matter {} was changed by someone else meanwhile; reload it", code));
}

Result<Matter> CatalogService::Latest(soci::session& sql, const std::string& code) {
  auto row = repo_.FindItem(sql, code);
  if (!row) return NotFound("matter", code);
  TB_ASSIGN_OR_RETURN(auto matter, repo_.GetVersion(sql, code, row->latest_version));
  if (!matter) {
    return Error(ErrorCode::kIntegrity,
                 fmt::format("matter {} has lost its version {}", code, row->latest_version));
  }
  return std::move(*matter);
}

// --- import and export ---

Result<ImportSummary> CatalogService::ImportYaml(std::string_view text,
                                                 const ImportOptions& options) {
  TB_RETURN_IF_ERROR(RequireActor(options.actor));
  auto summary = db_.Transaction<ImportSummary>(
      TxKind::kWrite, [&](soci::session& sql) -> Result<ImportSummary> {
        const KnownCodes known = repo_.LoadKnownCodes(sql);
        TB_ASSIGN_OR_RETURN(CatalogFile file, ReadCatalog(text, known));
        return ImportLocked(sql, file, known, options);
      });
  // Certificates are written only by imports; counted after the commit (certificates_generation.h).
  if (summary.ok()) imports_committed.fetch_add(1, std::memory_order_release);
  if (summary.ok()) RefreshStatistics(*summary);
  return summary;
}

Result<ImportSummary> CatalogService::Import(const CatalogFile& file,
                                             const ImportOptions& options) {
  TB_RETURN_IF_ERROR(RequireActor(options.actor));
  auto summary = db_.Transaction<ImportSummary>(
      TxKind::kWrite, [&](soci::session& sql) -> Result<ImportSummary> {
        const KnownCodes known = repo_.LoadKnownCodes(sql);
        FieldErrors errors;
        ValidateCatalog(file, known, errors);
        if (!errors.empty()) {
          return errors.ToError(fmt::format("the catalog has {} error{}; nothing was imported",
                                            errors.size(), errors.size() == 1 ? "" : "s"));
        }
        return ImportLocked(sql, file, known, options);
      });
  // Certificates are written only by imports; counted after the commit (certificates_generation.h).
  if (summary.ok()) imports_committed.fetch_add(1, std::memory_order_release);
  if (summary.ok()) RefreshStatistics(*summary);
  return summary;
}

void CatalogService::RefreshStatistics(const ImportSummary& summary) {
  if (summary.items_created + summary.versions_created + summary.drafts_updated < 100) return;
  // After a bulk load the planners need fresh statistics to pick the most selective index when
  // several filters combine (a county's licences on the online list: 12x faster on SQLite with
  // them). Best effort: the import has committed either way.
  Status s = db_.Transaction(TxKind::kWrite, [&](soci::session& sql) -> Status {
    repo_.Analyze(sql);
    return Ok();
  });
  if (!s.ok()) spdlog::warn("catalog: refreshing statistics failed: {}", s.error().ToString());
}

Result<ImportSummary> CatalogService::ImportLocked(soci::session& sql, const CatalogFile& file,
                                                   const KnownCodes& known,
                                                   const ImportOptions& options) {
  const std::string at = NowText();
  const std::string& actor = options.actor;
  const Date effective = options.effective_from.value_or(Today());

  // First decide what happens to each item, reading only, so every problem found against the
  // stored versions is listed together before anything is written.
  enum class Outcome { kCreate, kNewVersion, kReplaceDraft, kUnchanged, kKeepDraft };
  struct Plan {
    Outcome outcome = Outcome::kCreate;
    BasicItem basic;
    CatalogRepository::ItemRow row{.revision = 1, .latest_version = 1};
    std::string latest_id;
    VersionStatus latest_status = VersionStatus::kDraft;
  };
  std::map<std::string, const BasicItem*, std::less<>> file_basics;
  for (const auto& b : file.basic_items) file_basics[b.code] = &b;
  std::vector<Plan> plans;
  FieldErrors errors;
  std::vector<FieldError> open_drafts;
  for (size_t i = 0; i < file.implementation_items.size(); ++i) {
    const ImplementationItem& item = file.implementation_items[i];
    Plan plan;
    if (auto it = file_basics.find(item.basic_item); it != file_basics.end()) {
      plan.basic = *it->second;
    } else if (auto stored = repo_.FindBasicItem(sql, item.basic_item)) {
      plan.basic = *stored;
    } else {
      return NotFound("basic item", item.basic_item);  // validated before; not expected
    }
    if (auto row = repo_.FindItem(sql, item.code)) {
      plan.row = *row;
      TB_ASSIGN_OR_RETURN(Matter latest, Latest(sql, item.code));
      plan.latest_id = latest.version.id;
      plan.latest_status = latest.version.status;
      if (latest.item == item && latest.basic == plan.basic) {
        plan.outcome = Outcome::kUnchanged;
      } else if (latest.version.status == VersionStatus::kPublished) {
        plan.outcome = Outcome::kNewVersion;
      } else {
        plan.outcome =
            options.open_drafts == OpenDrafts::kKeep ? Outcome::kKeepDraft : Outcome::kReplaceDraft;
        if (options.open_drafts == OpenDrafts::kRefuse) {
          open_drafts.push_back(
              {JoinPath("implementation_items", i),
               fmt::format("{} has an unpublished version {} ({}, revision {}) with other "
                           "content, which may be someone's work in progress; import with "
                           "--replace-drafts (API: replace_drafts=true) to overwrite it",
                           item.code, latest.version.version, EnumId(latest.version.status),
                           plan.row.revision)});
        }
      }
    }
    const bool will_publish =
        options.publish && plan.outcome != Outcome::kKeepDraft &&
        !(plan.outcome == Outcome::kUnchanged && plan.latest_status == VersionStatus::kPublished);
    if (will_publish) {
      auto previous = repo_.LatestEffectiveFrom(sql, item.code);
      if (previous && effective < *previous) {
        errors.Add(JoinPath("implementation_items", i),
                   fmt::format("would take effect on {}, before its published version effective "
                               "{}",
                               effective.ToString(), previous->ToString()));
      }
    }
    plans.push_back(std::move(plan));
  }
  if (!errors.empty()) {
    return errors.ToError(fmt::format("the catalog has {} error{}; nothing was imported",
                                      errors.size(), errors.size() == 1 ? "" : "s"));
  }
  if (!open_drafts.empty()) {
    const size_t n = open_drafts.size();
    return Error(ErrorCode::kConflict,
                 fmt::format("the file would overwrite {} unpublished version{}; nothing was "
                             "imported",
                             n, n == 1 ? "" : "s"),
                 std::move(open_drafts));
  }

  ImportSummary summary;
  for (const auto& r : file.regions) {
    Region region = r;
    if (region.name.empty()) region.name = RegionName(region.code, known);
    repo_.UpsertRegion(sql, region);
    ++summary.regions;
  }
  for (const auto& d : file.departments) {
    repo_.UpsertDepartment(sql, d);
    ++summary.departments;
  }
  for (const auto& w : file.windows) {
    repo_.UpsertWindow(sql, w);
    ++summary.windows;
  }
  for (const auto& c : file.certificates) {
    repo_.UpsertCertificate(sql, c);
    ++summary.certificates;
  }
  for (const auto& b : file.basic_items) {
    repo_.UpsertBasicItem(sql, b);
    ++summary.basic_items;
  }

  for (size_t i = 0; i < file.implementation_items.size(); ++i) {
    const ImplementationItem& item = file.implementation_items[i];
    Plan& plan = plans[i];
    std::string version_id = plan.latest_id;
    VersionStatus status = VersionStatus::kDraft;
    auto action = CatalogChange::Action::kDraftCreated;
    switch (plan.outcome) {
      case Outcome::kCreate:
        repo_.InsertItem(sql, item.code, plan.row);
        repo_.InsertVersion(sql, 1, item, plan.basic, actor, at);
        version_id = CatalogRepository::VersionId(item.code, 1);
        ++summary.items_created;
        break;
      case Outcome::kNewVersion:
        ++plan.row.latest_version;
        repo_.InsertVersion(sql, plan.row.latest_version, item, plan.basic, actor, at);
        version_id = CatalogRepository::VersionId(item.code, plan.row.latest_version);
        ++summary.versions_created;
        break;
      case Outcome::kReplaceDraft:
        repo_.ReplaceContent(sql, version_id, item, plan.basic, actor, at);
        action = CatalogChange::Action::kDraftUpdated;
        ++summary.drafts_updated;
        break;
      case Outcome::kUnchanged:
        status = plan.latest_status;
        ++summary.unchanged;
        break;
      case Outcome::kKeepDraft:
        ++summary.drafts_kept;
        continue;  // neither written nor published
    }
    const bool changed = plan.outcome != Outcome::kUnchanged;
    if (changed) {
      TB_RETURN_IF_ERROR(Notify(sql, {action, item.code, version_id, actor, at, "imported"}));
    }
    const bool publish = options.publish && status != VersionStatus::kPublished;
    if (publish) {
      if (status == VersionStatus::kDraft) {
        repo_.Approve(sql, version_id, actor, at);
        TB_RETURN_IF_ERROR(Notify(
            sql, {CatalogChange::Action::kApproved, item.code, version_id, actor, at, "imported"}));
      }
      repo_.Publish(sql, version_id, effective, actor, at);
      TB_RETURN_IF_ERROR(
          Notify(sql, {CatalogChange::Action::kPublished, item.code, version_id, actor, at,
                       fmt::format("effective {}", effective.ToString())}));
      ++summary.published;
    }
    // A new item inserted as a draft already has revision 1; every other change moves it on,
    // from the revision the plan read (so a concurrent edit fails the import, never lost).
    if ((changed || publish) && !(plan.outcome == Outcome::kCreate && !publish)) {
      TB_RETURN_IF_ERROR(Advance(sql, item.code, plan.row, plan.row.latest_version));
    }
  }

  for (const auto& b : file.bundles) {
    repo_.UpsertBundle(sql, b);
    ++summary.bundles;
  }
  TB_RETURN_IF_ERROR(Notify(
      sql, {CatalogChange::Action::kImported, "catalog", "", actor, at,
            fmt::format("regions {}, departments {}, windows {}, certificates {}, basic items {}, "
                        "items created {}, versions created {}, drafts updated {}, unchanged {}, "
                        "drafts kept {}, published {}, bundles {}",
                        summary.regions, summary.departments, summary.windows, summary.certificates,
                        summary.basic_items, summary.items_created, summary.versions_created,
                        summary.drafts_updated, summary.unchanged, summary.drafts_kept,
                        summary.published, summary.bundles)}));
  return summary;
}

Result<CatalogFile> CatalogService::Export(const ExportOptions& options) {
  return db_.Transaction<CatalogFile>(
      TxKind::kRead, [&](soci::session& sql) -> Result<CatalogFile> {
        CatalogFile file;
        file.regions = repo_.ListRegions(sql);
        file.departments = repo_.ListDepartments(sql);
        file.windows = repo_.ListWindows(sql);
        file.certificates = repo_.ListCertificates(sql);
        file.basic_items = repo_.ListBasicItems(sql);
        for (const std::string& body : repo_.ExportBodies(sql, options.in_force_at)) {
          TB_ASSIGN_OR_RETURN(ImplementationItem item, ParseItemYaml(body));
          file.implementation_items.push_back(std::move(item));
        }
        file.bundles = repo_.ListBundles(sql);
        return file;
      });
}

Result<std::string> CatalogService::ExportYaml(const ExportOptions& options) {
  TB_ASSIGN_OR_RETURN(CatalogFile file, Export(options));
  return EmitCatalogYaml(file);
}

// --- reads ---

Result<MatterQuery> CatalogService::BuildQuery(const MatterFilter& filter,
                                               const PageRequest& page) const {
  FieldErrors errors;
  MatterQuery q;
  if (page.limit < 1 || page.limit > kMaxPageSize) {
    errors.Add("limit", fmt::format("must be between 1 and {}", kMaxPageSize));
  }
  Date as_of = filter.as_of.value_or(Today());
  if (!page.cursor.empty() && !DecodeCursor(page.cursor, &as_of, &q.after)) {
    errors.Add("cursor", "is not a cursor this service gave out");
  }
  if (!filter.region.empty()) {
    auto prefix = RegionSubtreePrefix(filter.region);
    if (!prefix) {
      errors.Add("region", "must be a region code of 6, 9 or 12 digits");
    } else {
      q.region_prefix = *prefix;
    }
  }
  if (filter.department.size() > 64 || !utf8::IsValid(filter.department)) {
    errors.Add("department", "is not a department code");
  }
  if (filter.keyword.size() > kMaxKeywordBytes || !utf8::IsValid(filter.keyword)) {
    errors.Add("keyword", fmt::format("must be valid UTF-8 of at most {} bytes", kMaxKeywordBytes));
  }
  if (!errors.empty()) return errors.ToError("the matter filter is invalid");

  q.as_of = as_of.ToString();
  q.limit = page.limit + 1;  // one more tells whether another page follows
  q.department = filter.department;
  if (filter.kind) q.kind = EnumId(*filter.kind);
  if (filter.list) q.list = EnumId(*filter.list);
  if (filter.level) q.level = EnumId(*filter.level);
  if (filter.mode) q.mode = EnumId(*filter.mode);
  if (!filter.keyword.empty()) q.keyword_pattern = LikePattern(filter.keyword);
  return q;
}

Result<MatterPage> CatalogService::ListMatters(const MatterFilter& filter,
                                               const PageRequest& page) {
  TB_ASSIGN_OR_RETURN(const MatterQuery q, BuildQuery(filter, page));
  return db_.Transaction<MatterPage>(TxKind::kRead, [&](soci::session& sql) -> Result<MatterPage> {
    MatterPage out;
    out.items = repo_.ListMatters(sql, q);
    if (out.items.size() > static_cast<size_t>(page.limit)) {
      out.items.resize(static_cast<size_t>(page.limit));
      out.next_cursor = EncodeCursor(*Date::Parse(q.as_of), out.items.back().code);
    }
    return out;
  });
}

Result<std::vector<std::string>> CatalogService::ExplainListMatters(const MatterFilter& filter,
                                                                    const PageRequest& page) {
  TB_ASSIGN_OR_RETURN(const MatterQuery q, BuildQuery(filter, page));
  return repo_.ExplainMatters(db_, q);
}

Result<SearchPage> CatalogService::SearchMatters(std::string_view query, const MatterFilter& filter,
                                                 const PageRequest& page) {
  FieldErrors errors;
  if (query.size() > kMaxKeywordBytes || !utf8::IsValid(query)) {
    errors.Add("q", fmt::format("must be valid UTF-8 of at most {} bytes", kMaxKeywordBytes));
  }
  std::vector<std::string> terms;
  if (errors.empty()) {
    terms = QueryTerms(query);
    if (terms.empty()) errors.Add("q", "must hold a Chinese character, a letter or a digit");
  }
  if (!filter.keyword.empty()) errors.Add("keyword", "is not used by a search: put it in q");
  Date as_of = filter.as_of.value_or(Today());
  SearchHit after;
  const bool has_cursor = !page.cursor.empty();
  if (has_cursor && !DecodeSearchCursor(page.cursor, &as_of, &after)) {
    errors.Add("cursor", "is not a cursor this service gave out");
  }
  MatterFilter checked = filter;
  checked.as_of = as_of;
  auto q = BuildQuery(checked, {.limit = page.limit});
  if (!q.ok()) {
    for (const auto& f : q.error().fields()) errors.Add(f.field, f.message);
  }
  if (!errors.empty()) return errors.ToError("the search is invalid");

  std::optional<SearchHit> last;
  if (has_cursor) last = after;
  return db_.Transaction<SearchPage>(TxKind::kRead, [&](soci::session& sql) -> Result<SearchPage> {
    // q->limit is one more than the page: whether another page follows.
    std::vector<SearchHit> hits = repo_.SearchMatters(sql, terms, *q, last);
    SearchPage out;
    out.terms = terms;
    const bool more = hits.size() > static_cast<size_t>(page.limit);
    if (more) hits.resize(static_cast<size_t>(page.limit));
    std::vector<std::string> ids;
    ids.reserve(hits.size());
    for (const auto& h : hits) ids.push_back(h.version_id);
    std::vector<MatterSummary> summaries = repo_.Summaries(sql, ids);
    for (size_t i = 0; i < summaries.size() && i < hits.size(); ++i) {
      out.items.push_back({.matter = std::move(summaries[i]), .score = hits[i].score});
    }
    if (more && !hits.empty()) out.next_cursor = EncodeSearchCursor(as_of, hits.back());
    return out;
  });
}

Result<std::vector<std::string>> CatalogService::ExplainSearch(std::string_view query,
                                                               const MatterFilter& filter) {
  TB_ASSIGN_OR_RETURN(const MatterQuery q, BuildQuery(filter, {.limit = 20}));
  const std::vector<std::string> terms = QueryTerms(query);
  return repo_.ExplainSearch(db_, terms, q, std::nullopt);
}

Result<std::pair<Matter, GuideStep>> CatalogService::RunMatterGuide(std::string_view code,
                                                                    const GuideAnswers& answers,
                                                                    std::optional<Date> as_of) {
  TB_ASSIGN_OR_RETURN(Matter matter, GetMatter(code, as_of));
  TB_ASSIGN_OR_RETURN(GuideStep step, RunGuide(matter.item, answers));
  return std::make_pair(std::move(matter), std::move(step));
}

Result<Matter> CatalogService::GetMatter(std::string_view code, std::optional<Date> as_of) {
  const Date date = as_of.value_or(Today());
  const std::string c(code);
  return db_.Transaction<Matter>(TxKind::kRead, [&](soci::session& sql) -> Result<Matter> {
    TB_ASSIGN_OR_RETURN(auto m, repo_.GetInForce(sql, c, date));
    if (!m) {
      return Error(ErrorCode::kNotFound, fmt::format("matter '{}' has no version in force on {}",
                                                     Excerpt(c, 80), date.ToString()));
    }
    return std::move(*m);
  });
}

Result<Matter> CatalogService::GetMatterVersion(std::string_view code, int version) {
  const std::string c(code);
  return db_.Transaction<Matter>(TxKind::kRead, [&](soci::session& sql) -> Result<Matter> {
    TB_ASSIGN_OR_RETURN(auto m, repo_.GetVersion(sql, c, version));
    if (!m) return NotFound("matter version", fmt::format("{}@{}", c, version));
    return std::move(*m);
  });
}

Result<Matter> CatalogService::GetMatterByVersionId(std::string_view version_id) {
  const std::string id(version_id);
  return db_.Transaction<Matter>(TxKind::kRead, [&](soci::session& sql) -> Result<Matter> {
    TB_ASSIGN_OR_RETURN(auto m, repo_.GetVersionById(sql, id));
    if (!m) return NotFound("matter version", id);
    return std::move(*m);
  });
}

Result<Matter> CatalogService::GetLatestMatter(std::string_view code) {
  const std::string c(code);
  return db_.Transaction<Matter>(
      TxKind::kRead, [&](soci::session& sql) -> Result<Matter> { return Latest(sql, c); });
}

Result<std::vector<VersionInfo>> CatalogService::ListVersions(std::string_view code) {
  const std::string c(code);
  return db_.Transaction<std::vector<VersionInfo>>(
      TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<VersionInfo>> {
        auto versions = repo_.ListVersions(sql, c);
        if (versions.empty()) return NotFound("matter", c);
        return versions;
      });
}

// --- drafts, approval, publication ---

Result<Matter> CatalogService::CreateDraft(const ImplementationItem& item,
                                           std::optional<int64_t> expected_revision,
                                           const std::string& actor) {
  TB_RETURN_IF_ERROR(RequireActor(actor));
  const std::string at = NowText();
  return db_.Transaction<Matter>(TxKind::kWrite, [&](soci::session& sql) -> Result<Matter> {
    FieldErrors errors;
    ValidateItem(item, repo_.LoadKnownCodes(sql), "", errors);
    if (!errors.empty()) return errors.ToError("the matter is invalid");
    auto basic = repo_.FindBasicItem(sql, item.basic_item);
    if (!basic) return NotFound("basic item", item.basic_item);
    auto row = repo_.FindItem(sql, item.code);
    int version = 1;
    if (!row) {
      repo_.InsertItem(sql, item.code, {.revision = 1, .latest_version = 1});
    } else {
      TB_RETURN_IF_ERROR(CheckRevision(expected_revision, row->revision, item.code));
      TB_ASSIGN_OR_RETURN(Matter latest, Latest(sql, item.code));
      if (latest.version.status != VersionStatus::kPublished) {
        return Error(
            ErrorCode::kConflict,
            fmt::format("matter {} already has an unpublished version {} ({}); change "
                        "that one",
                        item.code, latest.version.version, StatusText(latest.version.status)));
      }
      version = row->latest_version + 1;
      TB_RETURN_IF_ERROR(Advance(sql, item.code, *row, version));
    }
    repo_.InsertVersion(sql, version, item, *basic, actor, at);
    const std::string id = CatalogRepository::VersionId(item.code, version);
    TB_RETURN_IF_ERROR(
        Notify(sql, {CatalogChange::Action::kDraftCreated, item.code, id, actor, at, ""}));
    return Latest(sql, item.code);
  });
}

Result<Matter> CatalogService::ChangeLatest(std::string_view code,
                                            std::optional<int64_t> expected_revision,
                                            const std::string& actor, const LatestChange& change) {
  TB_RETURN_IF_ERROR(RequireActor(actor));
  const std::string c(code);
  const std::string at = NowText();
  return db_.Transaction<Matter>(TxKind::kWrite, [&](soci::session& sql) -> Result<Matter> {
    auto row = repo_.FindItem(sql, c);
    if (!row) return NotFound("matter", c);
    TB_RETURN_IF_ERROR(CheckRevision(expected_revision, row->revision, c));
    TB_RETURN_IF_ERROR(Advance(sql, c, *row, row->latest_version));
    TB_ASSIGN_OR_RETURN(Matter latest, Latest(sql, c));
    TB_RETURN_IF_ERROR(change(sql, latest, at));
    return Latest(sql, c);
  });
}

Result<Matter> CatalogService::UpdateDraft(std::string_view code, const ImplementationItem& item,
                                           std::optional<int64_t> expected_revision,
                                           const std::string& actor) {
  return ChangeLatest(
      code, expected_revision, actor,
      [&](soci::session& sql, const Matter& latest, const std::string& at) -> Status {
        const std::string& c = latest.item.code;
        if (latest.version.status != VersionStatus::kDraft) {
          return Error(ErrorCode::kConflict,
                       fmt::format("version {} of matter {} is {}; only drafts change",
                                   latest.version.version, c, StatusText(latest.version.status)));
        }
        FieldErrors errors;
        if (item.code != c) errors.Add("code", "must be the code of the matter being changed");
        ValidateItem(item, repo_.LoadKnownCodes(sql), "", errors);
        if (!errors.empty()) return errors.ToError("the matter is invalid");
        auto basic = repo_.FindBasicItem(sql, item.basic_item);
        if (!basic) return NotFound("basic item", item.basic_item);
        repo_.ReplaceContent(sql, latest.version.id, item, *basic, actor, at);
        return Notify(sql,
                      {CatalogChange::Action::kDraftUpdated, c, latest.version.id, actor, at, ""});
      });
}

Result<Matter> CatalogService::Approve(std::string_view code,
                                       std::optional<int64_t> expected_revision,
                                       const std::string& actor) {
  return ChangeLatest(
      code, expected_revision, actor,
      [&](soci::session& sql, const Matter& latest, const std::string& at) -> Status {
        const std::string& c = latest.item.code;
        if (!repo_.Approve(sql, latest.version.id, actor, at)) {
          return Error(ErrorCode::kConflict,
                       fmt::format("version {} of matter {} is {}; only drafts are approved",
                                   latest.version.version, c, StatusText(latest.version.status)));
        }
        return Notify(sql, {CatalogChange::Action::kApproved, c, latest.version.id, actor, at, ""});
      });
}

Result<Matter> CatalogService::Publish(std::string_view code, Date effective_from,
                                       std::optional<int64_t> expected_revision,
                                       const std::string& actor) {
  return ChangeLatest(
      code, expected_revision, actor,
      [&](soci::session& sql, const Matter& latest, const std::string& at) -> Status {
        const std::string& c = latest.item.code;
        if (latest.version.status != VersionStatus::kApproved) {
          return Error(ErrorCode::kConflict,
                       fmt::format("version {} of matter {} is {}; only approved versions are "
                                   "published",
                                   latest.version.version, c, StatusText(latest.version.status)));
        }
        if (auto previous = repo_.LatestEffectiveFrom(sql, c);
            previous && effective_from < *previous) {
          return Error(ErrorCode::kInvalidArgument, "the effective date is too early",
                       {{"effective_from",
                         fmt::format("must not be before {}, when the previous version took effect",
                                     previous->ToString())}});
        }
        repo_.Publish(sql, latest.version.id, effective_from, actor, at);
        return Notify(sql, {CatalogChange::Action::kPublished, c, latest.version.id, actor, at,
                            fmt::format("effective {}", effective_from.ToString())});
      });
}

// --- reference data ---

Result<std::vector<Region>> CatalogService::ListRegions() {
  return ReadAll(&CatalogRepository::ListRegions);
}

Result<std::vector<Department>> CatalogService::ListDepartments() {
  return ReadAll(&CatalogRepository::ListDepartments);
}

Result<std::vector<Window>> CatalogService::ListWindows() {
  return ReadAll(&CatalogRepository::ListWindows);
}

Result<std::vector<Certificate>> CatalogService::ListCertificates() {
  return ReadAll(&CatalogRepository::ListCertificates);
}

Result<CertificateCounts> CatalogService::CountCertificates() {
  return db_.Transaction<CertificateCounts>(
      TxKind::kRead, [&](soci::session& sql) -> Result<CertificateCounts> {
        auto counts = repo_.CountCertificates(sql);
        return CertificateCounts{.retained = counts[CertificateStatus::kRetained],
                                 .cancelled = counts[CertificateStatus::kCancelled]};
      });
}

Result<std::vector<BasicItem>> CatalogService::ListBasicItems() {
  return ReadAll(&CatalogRepository::ListBasicItems);
}

Result<std::vector<Bundle>> CatalogService::ListBundles() {
  return ReadAll(&CatalogRepository::ListBundles);
}

}  // namespace tongban::catalog
