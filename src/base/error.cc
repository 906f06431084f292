#include "base/error.h"

#include <fmt/format.h>

namespace tongban {
namespace {

const std::vector<ErrorInfo>& Catalog() {
  static const std::vector<ErrorInfo> kCatalog = {
#define X(name, wire, status, visibility, title) \
  {ErrorCode::name, wire, status, Visibility::visibility, title},
#include "base/error_codes.def"
#undef X
  };
  return kCatalog;
}

}  // namespace

const ErrorInfo& Describe(ErrorCode code) { return Catalog()[static_cast<size_t>(code)]; }
const std::vector<ErrorInfo>& AllErrors() { return Catalog(); }

Error& Error::Prefix(std::string_view context) {
  message_ = fmt::format("{}: {}", context, message_);
  return *this;
}

std::string Error::ToString() const {
  std::string s = fmt::format("{}: {}", info().name, message_);
  if (!fields_.empty()) {
    s += " [";
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (i) s += "; ";
      s += fmt::format("{}: {}", fields_[i].field, fields_[i].message);
    }
    s += "]";
  }
  return s;
}

Error FieldErrors::ToError(std::string message) const {
  return Error(ErrorCode::kInvalidArgument, std::move(message), fields_);
}

}  // namespace tongban
