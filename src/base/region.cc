// The region index: the embedded TSV files parsed once into one array sorted by the code padded
// to 12 digits. Names stay views into the embedded data, which lives as long as the program.
#include "base/region.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

#include "base/embedded.h"

namespace tongban {

extern const EmbeddedFile kRegionData[];
extern const size_t kRegionData_count;

namespace {

constexpr uint32_t kNoParent = UINT32_MAX;

struct Entry {
  uint64_t key = 0;  // the code padded to 12 digits, as a number
  std::string_view code;
  std::string_view name;
  RegionLevel level = RegionLevel::kProvince;
  uint32_t parent = kNoParent;
  uint32_t first_child = 0;
  uint32_t child_count = 0;
};

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

uint64_t ToNumber(std::string_view digits) {
  uint64_t n = 0;
  for (char c : digits) n = n * 10 + static_cast<uint64_t>(c - '0');
  return n;
}

uint64_t KeyOf(std::string_view canonical) {
  uint64_t n = ToNumber(canonical);
  for (size_t i = canonical.size(); i < 12; ++i) n *= 10;
  return n;
}

RegionLevel LevelOfSix(std::string_view six) {
  if (six.substr(2) == "0000") return RegionLevel::kProvince;
  if (six.substr(4) == "00") return RegionLevel::kCity;
  return RegionLevel::kCounty;
}

// The statistical tables' placeholders for a city level that has no city of its own.
bool IsPlaceholderName(std::string_view name) {
  return name == "市辖区" || name == "县" || name == "省直辖县级行政区划" ||
         name == "自治区直辖县级行政区划";
}

class RegionIndex {
 public:
  RegionIndex() {
    for (size_t f = 0; f < kRegionData_count; ++f) Parse(kRegionData[f].contents);
    std::sort(entries_.begin(), entries_.end(),
              [](const Entry& a, const Entry& b) { return a.key < b.key; });
    // Duplicates would make lookups ambiguous; the generator never writes them, keep the first.
    entries_.erase(std::unique(entries_.begin(), entries_.end(),
                               [](const Entry& a, const Entry& b) { return a.key == b.key; }),
                   entries_.end());
    LinkParents();
  }

  const Entry* Find(uint64_t key) const {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), key,
                               [](const Entry& e, uint64_t k) { return e.key < k; });
    if (it == entries_.end() || it->key != key) return nullptr;
    return &*it;
  }
  const Entry& At(uint32_t i) const { return entries_[i]; }
  uint32_t IndexOf(const Entry* e) const { return static_cast<uint32_t>(e - entries_.data()); }
  const std::vector<uint32_t>& roots() const { return roots_; }
  const std::vector<uint32_t>& children() const { return children_; }
  size_t size() const { return entries_.size(); }

 private:
  void Parse(std::string_view text) {
    while (!text.empty()) {
      size_t end = text.find('\n');
      std::string_view line = text.substr(0, end);
      text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
      if (line.empty() || line[0] == '#') continue;
      size_t tab = line.find('\t');
      if (tab == std::string_view::npos) continue;
      auto code = ParseRegionCode(line.substr(0, tab));
      // The files are generated in canonical form; a test checks that every line is taken.
      if (!code.ok() || code->code.size() != tab) continue;
      Entry e;
      e.key = KeyOf(code->code);
      e.code = line.substr(0, tab);
      e.name = line.substr(tab + 1);
      e.level = code->level;
      entries_.push_back(e);
    }
  }

  // The parent is the nearest existing region above: a county without a city hangs from its
  // province, a town in a city without counties (东莞市 441900) from the city.
  void LinkParents() {
    std::vector<uint32_t> counts(entries_.size(), 0);
    for (uint32_t i = 0; i < entries_.size(); ++i) {
      Entry& e = entries_[i];
      const uint64_t k = e.key;
      const std::array<uint64_t, 4> candidates = {
          k / 1000 * 1000,               // town
          k / 1000000 * 1000000,         // county
          k / 100000000 * 100000000,     // city
          k / 10000000000 * 10000000000  // province
      };
      for (uint64_t c : candidates) {
        if (c == k) continue;
        if (const Entry* p = Find(c); p != nullptr && p->level < e.level) {
          e.parent = IndexOf(p);
          break;
        }
      }
      if (e.parent == kNoParent) {
        roots_.push_back(i);
      } else {
        ++counts[e.parent];
      }
    }
    uint32_t offset = 0;
    for (uint32_t i = 0; i < entries_.size(); ++i) {
      entries_[i].first_child = offset;
      offset += counts[i];
    }
    children_.assign(offset, 0);
    std::vector<uint32_t> filled(entries_.size(), 0);
    for (uint32_t i = 0; i < entries_.size(); ++i) {  // ascending keys: children stay in order
      const uint32_t p = entries_[i].parent;
      if (p == kNoParent) continue;
      children_[entries_[p].first_child + filled[p]++] = i;
    }
    for (uint32_t i = 0; i < entries_.size(); ++i) entries_[i].child_count = counts[i];
  }

  std::vector<Entry> entries_;
  std::vector<uint32_t> roots_;
  std::vector<uint32_t> children_;
};

const RegionIndex& Index() {
  static const RegionIndex* const index = new RegionIndex();  // never destroyed: no exit races
  return *index;
}

RegionInfo Describe(const RegionIndex& index, const Entry& e) {
  RegionInfo info;
  info.code = std::string(e.code);
  info.name = std::string(e.name);
  info.level = e.level;
  if (e.parent != kNoParent) info.parent_code = std::string(index.At(e.parent).code);
  std::array<std::string_view, 5> names;
  size_t n = 0;
  for (const Entry* p = &e; p != nullptr && n < names.size();
       p = p->parent == kNoParent ? nullptr : &index.At(p->parent)) {
    names[n++] = p->name;
  }
  for (size_t i = n; i-- > 0;) {
    if (i != 0 && IsPlaceholderName(names[i])) continue;
    info.full_name += names[i];
  }
  return info;
}

Error InvalidCode(std::string message) {
  return Error(ErrorCode::kInvalidArgument, "region code: " + std::move(message));
}

}  // namespace

std::string_view RegionLevelName(RegionLevel level) {
  switch (level) {
    case RegionLevel::kProvince:
      return "province";
    case RegionLevel::kCity:
      return "city";
    case RegionLevel::kCounty:
      return "county";
    case RegionLevel::kTown:
      return "town";
    case RegionLevel::kVillage:
      return "village";
  }
  return "unknown";
}

Result<RegionCode> ParseRegionCode(std::string_view code) {
  if (code.size() != 6 && code.size() != 9 && code.size() != 12) {
    return InvalidCode(fmt::format("must have 6, 9 or 12 digits, got {} characters", code.size()));
  }
  for (size_t i = 0; i < code.size(); ++i) {
    if (code[i] < '0' || code[i] > '9') {
      return InvalidCode(fmt::format("character at position {} is not a digit", i + 1));
    }
  }
  std::string_view canonical = code;
  if (code.size() == 12 && code.substr(9) == "000") canonical = code.substr(0, 9);
  if (canonical.size() == 9 && canonical.substr(6) == "000") canonical = code.substr(0, 6);
  if (code.substr(0, 2) == "00") return InvalidCode("province 00 does not exist");
  RegionCode out{std::string(canonical), RegionLevel::kProvince};
  switch (canonical.size()) {
    case 6:
      out.level = LevelOfSix(canonical);
      if (out.level == RegionLevel::kCounty && canonical.substr(2, 2) == "00") {
        return InvalidCode(fmt::format("{} has a county number under city 00", canonical));
      }
      break;
    case 9:
      out.level = RegionLevel::kTown;
      if (ToNumber(canonical.substr(6)) > 599) {
        return InvalidCode(
            fmt::format("town number {} is outside GB/T 10114's 001-599", canonical.substr(6)));
      }
      break;
    default:
      out.level = RegionLevel::kVillage;
      if (code.substr(6, 3) == "000") {
        return InvalidCode("a village code needs a town number (positions 7-9 are 000)");
      }
      if (ToNumber(canonical.substr(6, 3)) > 599) {
        return InvalidCode(
            fmt::format("town number {} is outside GB/T 10114's 001-599", canonical.substr(6, 3)));
      }
      if (ToNumber(canonical.substr(9)) > 599) {
        return InvalidCode(
            fmt::format("village number {} is outside 001-599", canonical.substr(9)));
      }
      break;
  }
  return out;
}

Result<RegionInfo> LookupRegion(std::string_view code) {
  TB_ASSIGN_OR_RETURN(RegionCode parsed, ParseRegionCode(code));
  const RegionIndex& index = Index();
  const Entry* e = index.Find(KeyOf(parsed.code));
  if (e == nullptr) {
    return Error(ErrorCode::kNotFound,
                 fmt::format("region code {} is not in the current list", parsed.code));
  }
  return Describe(index, *e);
}

bool IsValidProvinceCode(std::string_view code) {
  if (code.size() == 6) {
    if (code.substr(2) != "0000") return false;
    code = code.substr(0, 2);
  }
  if (code.size() != 2 || !AllDigits(code)) return false;
  const Entry* e = Index().Find(KeyOf(code));
  return e != nullptr && e->level == RegionLevel::kProvince;
}

Result<std::vector<RegionInfo>> ListChildRegions(std::string_view code) {
  const RegionIndex& index = Index();
  std::vector<RegionInfo> out;
  if (code.empty()) {
    for (uint32_t i : index.roots()) out.push_back(Describe(index, index.At(i)));
    return out;
  }
  TB_ASSIGN_OR_RETURN(RegionCode parsed, ParseRegionCode(code));
  const Entry* e = index.Find(KeyOf(parsed.code));
  if (e == nullptr) {
    return Error(ErrorCode::kNotFound,
                 fmt::format("region code {} is not in the current list", parsed.code));
  }
  out.reserve(e->child_count);
  for (uint32_t i = 0; i < e->child_count; ++i) {
    out.push_back(Describe(index, index.At(index.children()[e->first_child + i])));
  }
  return out;
}

size_t EmbeddedRegionCount() { return Index().size(); }

}  // namespace tongban
