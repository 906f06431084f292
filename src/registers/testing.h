// Test helpers for the registers: fixed keys, principals with register grants, valid ID numbers.
#pragma once

#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/id_number.h"
#include "people/model.h"
#include "registers/field_cipher.h"

namespace tongban::registers::testing {

inline RegisterKeys FixedKeys() {
  return RegisterKeys{.sealing_keys = {{"k1", std::string(64, 'a')}, {"k2", std::string(64, 'b')}},
                      .current_key_id = "k1",
                      .index_key = std::string(64, 'c')};
}

// An account holding `permissions` over `region`'s subtree ("*" for everywhere).
inline people::Principal Staff(std::string id, std::string region,
                               std::vector<std::string> permissions) {
  people::Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kStaff;
  people::HeldGrant g;
  g.grant.scope.region = std::move(region);
  g.permissions = std::move(permissions);
  std::sort(g.permissions.begin(), g.permissions.end());
  p.grants.push_back(std::move(g));
  return p;
}

// A valid 18-character ID number: region 6 digits, birth YYYYMMDD, sequence 3 digits (odd: male).
inline std::string MakeIdNumber(std::string_view region, std::string_view birth, int sequence) {
  std::string first17 = fmt::format("{}{}{:03d}", region, birth, sequence);
  return first17 + IdNumberCheckCharacter(first17);
}

}  // namespace tongban::registers::testing
