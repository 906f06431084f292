#include "store/queries.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <regex>

#include "store/database.h"

namespace tongban::store {

namespace {
bool IsCommentLine(std::string_view line) {
  const size_t b = line.find_first_not_of(" \t\r");
  return b != std::string_view::npos && line.substr(b).starts_with("--");
}
}  // namespace

Result<QuerySet> QuerySet::Load(const EmbeddedFile* files, size_t count) {
  static const std::regex kHeader(
      R"(^--\s*name:\s*([a-z0-9_]+)\s*(?:\[(sqlite|postgresql)\])?\s*$)");
  QuerySet set;
  FieldErrors errors;
  for (size_t i = 0; i < count; ++i) {
    const std::string path(files[i].path);
    if (!path.ends_with(".sql") || path.find("/migrations/") != std::string::npos) continue;
    std::string_view text = files[i].contents;
    std::string name, dialect, body;
    auto flush = [&] {
      if (name.empty()) return;
      size_t b = body.find_first_not_of(" \t\r\n");
      size_t e = body.find_last_not_of(" \t\r\n;");
      std::string sql = b == std::string::npos ? "" : body.substr(b, e - b + 1);
      auto& target = dialect.empty()       ? set.shared_
                     : dialect == "sqlite" ? set.sqlite_
                                           : set.postgresql_;
      if (!target.emplace(name, sql).second) {
        errors.Add(path, fmt::format("query '{}' is defined twice", name));
      }
      if (sql.empty()) errors.Add(path, fmt::format("query '{}' is empty", name));
    };
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t nl = text.find('\n', pos);
      std::string line(text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos));
      std::smatch m;
      if (std::regex_match(line, m, kHeader)) {
        flush();
        name = m[1].str();
        dialect = m[2].str();
        body.clear();
      } else if (!name.empty() && !IsCommentLine(line)) {
        // Whole-line comments stay out of the query: a comment that ends a prefix query
        // (`Q("columns") + " WHERE …"`) would swallow what is appended, and soci would read a
        // `:word` inside one as a parameter.
        body += line;
        body += '\n';
      }
      if (nl == std::string_view::npos) break;
      pos = nl + 1;
    }
    flush();
  }
  if (!errors.empty()) return errors.ToError("query files are inconsistent");
  return set;
}

bool QuerySet::Contains(std::string_view name) const {
  return shared_.contains(name) || sqlite_.contains(name) || postgresql_.contains(name);
}

const std::string& QuerySet::Get(std::string_view name, Backend backend) const {
  const auto& specific = backend == Backend::kSqlite ? sqlite_ : postgresql_;
  if (auto it = specific.find(name); it != specific.end()) return it->second;
  if (auto it = shared_.find(name); it != shared_.end()) return it->second;
  spdlog::critical("query '{}' is not defined for {}", name, BackendName(backend));
  std::abort();
}

}  // namespace tongban::store
