// Reading a column of a dynamic soci row whatever type the backend reports: SQLite and
// PostgreSQL type the same column differently (INTEGER as int or long long, COUNT as a string on
// some drivers), and a NULL reads as zero or empty.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <soci/soci.h>

namespace tongban::store {

// Column `i` as an integer: 0 when NULL, a number parsed from text, a double truncated.
inline int64_t RowInt(const soci::row& r, size_t i) {
  if (r.get_indicator(i) == soci::i_null) return 0;
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_integer:
      return r.get<int>(i);
    case soci::dt_long_long:
      return r.get<long long>(i);
    case soci::dt_unsigned_long_long:
      return static_cast<int64_t>(r.get<unsigned long long>(i));
    case soci::dt_double:
      return static_cast<int64_t>(r.get<double>(i));
    case soci::dt_string:
      return std::stoll(r.get<std::string>(i));
    default:
      return 0;
  }
}

// Column `i` as text: empty when NULL.
inline std::string RowStr(const soci::row& r, size_t i) {
  if (r.get_indicator(i) == soci::i_null) return {};
  return r.get<std::string>(i);
}

}  // namespace tongban::store
