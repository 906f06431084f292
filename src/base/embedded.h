// Files compiled into the binary by the tongban_embed() CMake helper.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace tongban {

struct EmbeddedFile {
  std::string_view path;  // relative to the source root, e.g. "data/calendar/cn-2025.yaml"
  std::string_view contents;
};

}  // namespace tongban
