// The catalog's tables (sql/migrations) and named queries (sql/queries.sql) on SQLite and
// PostgreSQL. Every function runs on a session inside a transaction the caller (the service)
// owns, so one service operation is one transaction. Driver exceptions are left to
// store::Database::Transaction, which rolls back and maps them to the error catalog.
#pragma once

#include <soci/soci.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "catalog/matter.h"
#include "catalog/model.h"
#include "catalog/validate.h"
#include "store/database.h"
#include "store/queries.h"

namespace tongban::catalog {

// The catalog's migration set, for App::AllMigrations().
Result<store::MigrationSet> CatalogMigrations();

// The filters of one page of matters in force, already checked and put in SQL terms; an empty
// string leaves that filter out.
struct MatterQuery {
  std::string as_of;  // YYYY-MM-DD
  std::string after;  // the last item code of the previous page
  int limit = 20;
  // A region subtree: the prefix RegionSubtreePrefix gives (2, 4, 6, 9 or 12 digits).
  std::string region_prefix;
  std::string department;
  std::string kind;
  std::string list;
  std::string level;
  std::string mode;
  std::string keyword_pattern;  // a LIKE pattern over search_text, '!' escapes
};

// A matter in force that holds some of a search's terms, with the sum of their weights.
struct SearchHit {
  std::string version_id;
  std::string code;
  std::string name;
  int score = 0;
};

class CatalogRepository {
 public:
  struct ItemRow {
    int64_t revision = 0;
    int latest_version = 0;
  };

  static Result<CatalogRepository> Create(store::Backend backend);

  // Every code references may point at, for validating a file or a draft.
  KnownCodes LoadKnownCodes(soci::session& sql) const;

  void UpsertRegion(soci::session& sql, const Region& r) const;
  void UpsertDepartment(soci::session& sql, const Department& d) const;
  void UpsertWindow(soci::session& sql, const Window& w) const;
  void UpsertCertificate(soci::session& sql, const Certificate& c) const;
  void UpsertBasicItem(soci::session& sql, const BasicItem& b) const;
  // Replaces the bundle and its list of matters.
  void UpsertBundle(soci::session& sql, const Bundle& b) const;

  std::vector<Region> ListRegions(soci::session& sql) const;
  std::vector<Department> ListDepartments(soci::session& sql) const;
  std::vector<Window> ListWindows(soci::session& sql) const;
  std::vector<Certificate> ListCertificates(soci::session& sql) const;
  std::map<CertificateStatus, int> CountCertificates(soci::session& sql) const;
  std::vector<BasicItem> ListBasicItems(soci::session& sql) const;
  std::vector<Bundle> ListBundles(soci::session& sql) const;
  // The name of a region imported by `tongban regions import` (the regions module's table).
  std::optional<std::string> ImportedRegionName(soci::session& sql,
                                                std::string_view canonical_code) const;
  std::optional<BasicItem> FindBasicItem(soci::session& sql, const std::string& code) const;

  std::optional<ItemRow> FindItem(soci::session& sql, const std::string& code) const;
  void InsertItem(soci::session& sql, const std::string& code, const ItemRow& row) const;
  // Moves the item to its next revision (and `latest_version`) if it is still at `revision`;
  // false when another writer moved it first. On PostgreSQL the UPDATE waits for that writer to
  // commit and then matches nothing, so two writers that read the same revision never both win.
  bool AdvanceItem(soci::session& sql, const std::string& code, int64_t revision,
                   int latest_version) const;

  // A new draft version `version` of item.code, its content from `item` and `basic`.
  void InsertVersion(soci::session& sql, int version, const ImplementationItem& item,
                     const BasicItem& basic, const std::string& actor, const std::string& at) const;
  // Replaces the content of a draft (or of an approved version, which becomes a draft again:
  // a changed content voids its approval). False when the version is published.
  bool ReplaceContent(soci::session& sql, const std::string& version_id,
                      const ImplementationItem& item, const BasicItem& basic,
                      const std::string& actor, const std::string& at) const;
  // draft → approved; false when the version is not a draft.
  bool Approve(soci::session& sql, const std::string& version_id, const std::string& actor,
               const std::string& at) const;
  // approved → published; false when the version is not approved.
  bool Publish(soci::session& sql, const std::string& version_id, Date effective_from,
               const std::string& actor, const std::string& at) const;
  // The latest effective date among the item's published versions.
  std::optional<Date> LatestEffectiveFrom(soci::session& sql, const std::string& code) const;

  Result<std::optional<Matter>> GetVersion(soci::session& sql, const std::string& code,
                                           int version) const;
  Result<std::optional<Matter>> GetVersionById(soci::session& sql, const std::string& id) const;
  Result<std::optional<Matter>> GetInForce(soci::session& sql, const std::string& code,
                                           Date as_of) const;
  std::vector<VersionInfo> ListVersions(soci::session& sql, const std::string& code) const;
  // At most q.limit matters in force, ordered by item code.
  std::vector<MatterSummary> ListMatters(soci::session& sql, const MatterQuery& q) const;
  // How the database runs ListMatters(q) (store::ExplainPlan, in its own read transaction), to
  // check that filters use their indexes.
  Result<std::vector<std::string>> ExplainMatters(store::Database& db, const MatterQuery& q) const;
  // The matters in force (at q.as_of, within q's filters; q.after and q.keyword_pattern are
  // not used) that hold any of `terms`: at most q.limit of them, best score first, then by name
  // and code in byte order, after `after` in that order when it is given.
  std::vector<SearchHit> SearchMatters(soci::session& sql, const std::vector<std::string>& terms,
                                       const MatterQuery& q,
                                       const std::optional<SearchHit>& after) const;
  // How the database runs SearchMatters, as ExplainMatters.
  Result<std::vector<std::string>> ExplainSearch(store::Database& db,
                                                 const std::vector<std::string>& terms,
                                                 const MatterQuery& q,
                                                 const std::optional<SearchHit>& after) const;
  // The summaries of these versions, in the order given (ids not found are left out).
  std::vector<MatterSummary> Summaries(soci::session& sql,
                                       const std::vector<std::string>& version_ids) const;
  // Indexes every version the search index does not hold yet (a catalog from before the
  // index); returns how many.
  Result<int> IndexMissingVersions(soci::session& sql) const;

  // The YAML bodies of the latest version of every item, or of the version in force at a date.
  std::vector<std::string> ExportBodies(soci::session& sql, std::optional<Date> in_force_at) const;

  // Refreshes the planner statistics of the version tables (after bulk loads).
  void Analyze(soci::session& sql) const;

  // The version id of `version` of item `code`.
  static std::string VersionId(std::string_view code, int version);

 private:
  CatalogRepository(store::Backend backend, store::QuerySet queries)
      : backend_(backend), queries_(std::move(queries)) {}
  const std::string& Q(std::string_view name) const { return queries_.Get(name, backend_); }
  Result<std::optional<Matter>> GetOne(
      soci::session& sql, const std::string& where,
      const std::vector<std::pair<std::string, std::string>>& string_params,
      const std::vector<std::pair<std::string, int>>& int_params) const;
  void WriteListsAndModes(soci::session& sql, const std::string& version_id,
                          const ImplementationItem& item) const;
  // Replaces the version's rows of the search index with the terms of this content.
  void WriteSearchTerms(soci::session& sql, const std::string& version_id,
                        const ImplementationItem& item, const BasicItem& basic) const;

  store::Backend backend_;
  store::QuerySet queries_;
};

}  // namespace tongban::catalog
