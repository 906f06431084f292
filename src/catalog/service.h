// The catalog service: what the HTTP routes and the command line call. Reads answer matters in
// force (public: 政务公开); writes carry the acting account id (whether it may act is the
// caller's check) and follow draft → approved → published, each change one transaction, with
// optimistic concurrency on the item's revision (its ETag).
#pragma once

#include <soci/soci.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "catalog/guide.h"
#include "catalog/matter.h"
#include "catalog/model.h"
#include "catalog/repository.h"
#include "store/database.h"

namespace tongban::catalog {

// One change to the catalog, for the trace (痕迹化).
struct CatalogChange {
  enum class Action { kDraftCreated, kDraftUpdated, kApproved, kPublished, kImported };
  Action action = Action::kImported;
  std::string subject;     // the implementation item code; "catalog" for an import as a whole
  std::string version_id;  // the version changed; empty for an import as a whole
  std::string actor;       // the acting account id
  std::string at;          // ISO 8601 UTC
  std::string detail;      // "effective 2025-03-01", an import's counts, …
};

// THE place where catalog changes reach the trace: the app sets an observer that appends one
// event per change. It is called inside the write transaction, after the change, with that
// transaction's session: it must write through `sql` (never open another transaction, which on
// SQLite would wait for the lock this one holds), and an error it returns rolls the change back,
// so no change is committed without its event.
class ChangeObserver {
 public:
  virtual ~ChangeObserver() = default;
  virtual Status OnCatalogChange(soci::session& sql, const CatalogChange& change) = 0;
};

// What an import does to an item whose latest version is unpublished (a draft, or approved but
// not yet published) and holds other content: someone may be editing it.
enum class OpenDrafts {
  kRefuse,   // the import is refused (kConflict naming every such item); nothing is imported
  kReplace,  // the file's content replaces the draft's (tongban catalog import --replace-drafts)
  kKeep,     // the item is left as it is, draft and all (the demo's load at every start)
};

struct ImportOptions {
  std::string actor = "system";
  OpenDrafts open_drafts = OpenDrafts::kRefuse;
  // Approve and publish every imported item at once (trusted bulk loads).
  bool publish = false;
  // With publish: the date the new versions take effect; today when not given.
  std::optional<Date> effective_from = {};
};

// What an import did, by kind.
struct ImportSummary {
  int regions = 0;
  int departments = 0;
  int windows = 0;
  int certificates = 0;
  int basic_items = 0;
  int bundles = 0;
  int items_created = 0;     // implementation items new to the catalog
  int versions_created = 0;  // new versions of items already published
  int drafts_updated = 0;    // unpublished versions whose content the file replaced
  int unchanged = 0;         // items whose latest version already had this content
  int drafts_kept = 0;       // items left alone for their open draft (OpenDrafts::kKeep)
  int published = 0;         // versions published by this import
};

struct ExportOptions {
  // Export the versions in force at this date; without it, the latest version of every item
  // whatever its status (the working catalog, so export → import → export gives the same text).
  std::optional<Date> in_force_at = {};
};

struct MatterFilter {
  std::string region = {};      // a region code (6, 9 or 12 digits): it and every region below it
  std::string department = {};  // a department code
  std::optional<Kind> kind = {};
  std::optional<ServiceList> list = {};
  // With `list`: on that list at this level. Alone: on any list at this level.
  std::optional<Level> level = {};
  std::optional<CrossRegionMode> mode = {};
  std::string keyword = {};  // in the code, name, keywords or aliases (ASCII case-insensitive)
  std::optional<Date> as_of = {};  // matters in force at this date; today when not given
};

struct PageRequest {
  int limit = 20;           // 1 … 100
  std::string cursor = {};  // from the previous page's next_cursor; empty for the first page
};

struct MatterPage {
  std::vector<MatterSummary> items;
  // Opaque; empty on the last page. It carries the as-of date of the first page, so every page
  // of one listing answers for the same date.
  std::string next_cursor;
};

// One matter found by a search, with its score: the sum over the query's terms it holds of the
// weight of the best field each is in (name 3, keyword or alias 2, description 1).
struct SearchResult {
  MatterSummary matter;
  int score = 0;
};

struct SearchPage {
  std::vector<SearchResult> items;  // best score first, then by name (byte order), then code
  std::string next_cursor;          // opaque; empty on the last page
  std::vector<std::string> terms;   // what the query was looked up by (after stop words)
};

struct CertificateCounts {
  int retained = 0;
  int cancelled = 0;  // 取消: still listed with the decision that cancelled them
};

class CatalogService {
 public:
  struct Options {
    const Clock* clock = nullptr;  // the system clock when null; must outlive the service
    ChangeObserver* observer = nullptr;
  };

  static Result<std::unique_ptr<CatalogService>> Create(store::Database& db, Options options);
  static Result<std::unique_ptr<CatalogService>> Create(store::Database& db) {
    return Create(db, Options{});
  }

  // Sets (or, with nullptr, clears) the trace observer. Not thread-safe: call before serving.
  void SetObserver(ChangeObserver* observer) { observer_ = observer; }

  // Imports a file in one transaction: everything is validated first (references may point at
  // the file or at what is stored) and an invalid file imports nothing, answering one
  // kInvalidArgument error that lists every problem with its path. Reference data is inserted
  // or replaced by code; each implementation item becomes a new draft version unless its latest
  // version already holds the same content (then it is unchanged). An item whose unpublished
  // version holds other content is refused (kConflict, every such item listed with its path)
  // unless options.open_drafts is kReplace. Nothing is ever deleted.
  Result<ImportSummary> ImportYaml(std::string_view text, const ImportOptions& options);
  Result<ImportSummary> Import(const CatalogFile& file, const ImportOptions& options);

  Result<CatalogFile> Export(const ExportOptions& options);
  Result<std::string> ExportYaml(const ExportOptions& options);

  // One page of the matters in force, ordered by implementation code.
  Result<MatterPage> ListMatters(const MatterFilter& filter, const PageRequest& page);

  // How the database would run ListMatters (query plan lines), to check index use.
  Result<std::vector<std::string>> ExplainListMatters(const MatterFilter& filter,
                                                      const PageRequest& page);

  // Searches the matters in force in Chinese or ASCII (catalog/search.h: bigrams, stop words,
  // keywords and aliases), within `filter` (its `keyword` must be empty: the query is `query`).
  // Ranked by score, then name, then code; keyset pagination through next_cursor. A query
  // without any term (blank, or only punctuation) is kInvalidArgument naming `q`.
  Result<SearchPage> SearchMatters(std::string_view query, const MatterFilter& filter,
                                   const PageRequest& page);
  // How the database would run the search (query plan lines), to check it uses the index.
  Result<std::vector<std::string>> ExplainSearch(std::string_view query,
                                                 const MatterFilter& filter);

  // The next step of the guide (智能导办) of the matter's version in force at `as_of` (today by
  // default) given the answers so far (catalog/guide.h: RunGuide's errors), with that version.
  Result<std::pair<Matter, GuideStep>> RunMatterGuide(std::string_view code,
                                                      const GuideAnswers& answers,
                                                      std::optional<Date> as_of = std::nullopt);

  // The version in force at `as_of` (today by default); kNotFound when none is.
  Result<Matter> GetMatter(std::string_view code, std::optional<Date> as_of = std::nullopt);
  Result<Matter> GetMatterVersion(std::string_view code, int version);
  // The version a case pinned ("<code>@<version>").
  Result<Matter> GetMatterByVersionId(std::string_view version_id);
  // The newest version whatever its status: what an editor works on.
  Result<Matter> GetLatestMatter(std::string_view code);
  Result<std::vector<VersionInfo>> ListVersions(std::string_view code);

  // A new draft: version 1 of a new item, or the next version of an item whose latest version
  // is published (then `expected_revision` is required: kPreconditionRequired without it,
  // kVersionMismatch when stale). kConflict while an unpublished version exists.
  Result<Matter> CreateDraft(const ImplementationItem& item,
                             std::optional<int64_t> expected_revision, const std::string& actor);
  // Replaces the content of the item's draft. kPreconditionRequired without a revision,
  // kVersionMismatch when it is stale, kConflict when the latest version is not a draft.
  Result<Matter> UpdateDraft(std::string_view code, const ImplementationItem& item,
                             std::optional<int64_t> expected_revision, const std::string& actor);
  // draft → approved.
  Result<Matter> Approve(std::string_view code, std::optional<int64_t> expected_revision,
                         const std::string& actor);
  // approved → published, in force from `effective_from` (not before the item's previous
  // published version's date, so what was in force on a past day never changes).
  Result<Matter> Publish(std::string_view code, Date effective_from,
                         std::optional<int64_t> expected_revision, const std::string& actor);

  Result<std::vector<Region>> ListRegions();
  Result<std::vector<Department>> ListDepartments();
  Result<std::vector<Window>> ListWindows();
  Result<std::vector<Certificate>> ListCertificates();
  Result<CertificateCounts> CountCertificates();
  Result<std::vector<BasicItem>> ListBasicItems();
  Result<std::vector<Bundle>> ListBundles();

  // Today in China Standard Time (UTC+8), by the service's clock.
  Date Today() const;

 private:
  CatalogService(store::Database& db, CatalogRepository repo, Options options);
  std::string NowText() const;
  Result<ImportSummary> ImportLocked(soci::session& sql, const CatalogFile& file,
                                     const KnownCodes& known, const ImportOptions& options);
  Status Notify(soci::session& sql, const CatalogChange& change);
  // Every row of one reference list, in one read transaction.
  template <typename T>
  Result<std::vector<T>> ReadAll(std::vector<T> (CatalogRepository::*list)(soci::session&) const) {
    return db_.Transaction<std::vector<T>>(
        store::TxKind::kRead,
        [&](soci::session& sql) -> Result<std::vector<T>> { return (repo_.*list)(sql); });
  }
  void RefreshStatistics(const ImportSummary& summary);
  Result<MatterQuery> BuildQuery(const MatterFilter& filter, const PageRequest& page) const;
  Result<Matter> Latest(soci::session& sql, const std::string& code);
  Status Advance(soci::session& sql, const std::string& code,
                 const CatalogRepository::ItemRow& seen, int latest_version);
  // One step on the item's latest version (update, approve, publish) in one write transaction:
  // the item must exist and be at `expected_revision`, whose compare-and-set moves it on; then
  // `change` runs on the latest version, and the answer is the latest version after it.
  using LatestChange =
      std::function<Status(soci::session& sql, const Matter& latest, const std::string& at)>;
  Result<Matter> ChangeLatest(std::string_view code, std::optional<int64_t> expected_revision,
                              const std::string& actor, const LatestChange& change);

  store::Database& db_;
  CatalogRepository repo_;
  const Clock& clock_;
  ChangeObserver* observer_;
};

}  // namespace tongban::catalog
